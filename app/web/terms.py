"""Domain terms shown in pages (评价等级, 渠道, 评价对象, 责任类型, 工单状态), marked for
translation.

The domain packages keep their Chinese labels; templates show them through `_()`, and these
marks put them into the English catalog. tests/web/test_i18n.py checks that every label of
those packages is listed here, so a new label cannot go untranslated unnoticed.
"""

from __future__ import annotations

from app.web.i18n import N_

TERMS = (
    # levels (满意度)
    N_("非常满意"), N_("满意"), N_("基本满意"), N_("不满意"), N_("非常不满意"),
    # channels (评价渠道)
    N_("PC端"), N_("移动服务端"), N_("二维码"), N_("政务大厅平板电脑"), N_("政务大厅其他终端"),
    N_("电话"), N_("短信"),
    # rated objects (评价对象) and reviewer types
    N_("服务事项"), N_("工作人员"), N_("服务渠道"), N_("总体"), N_("个人"), N_("法人"),
    # responsibility (责任类型)
    N_("事项所属部门"), N_("系统所属部门"), N_("人员管理单位"), N_("主题服务牵头部门"),
    # case status (工单状态)
    N_("待流程引擎启动"), N_("办理中"), N_("已办结"),
)
