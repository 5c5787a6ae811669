"""HTML error pages (403, 404, 500, …) for the browser; /api/ paths keep their JSON errors
(app/auth/errors.py decides which)."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.formbody import MESSAGES as FORM_BODY
from app.web.i18n import N_

TITLES = {
    400: N_("请求有误"),
    401: N_("请先登录"),
    403: N_("无权访问"),
    404: N_("页面不存在"),
    405: N_("不支持的操作"),
    413: N_("文件过大"),
    500: N_("系统出了点问题"),
    503: N_("系统暂时无法使用"),
}
MESSAGES = {
    400: N_("提交的内容无法处理，请返回后重试。"),
    401: N_("请登录后再访问此页面。"),
    403: N_("您的角色无权访问此页面。如需权限，请联系系统管理员。"),
    404: N_("您访问的页面不存在或已被移除，请检查地址。"),
    405: N_("此页面不支持该操作。"),
    413: N_("上传的文件超过了大小限制。"),
    500: N_("处理请求时发生错误，操作没有完成。请稍后再试；问题持续时请联系系统管理员。"),
    503: N_("数据库暂时无法连接，操作没有完成，数据未被改动。"
            "请稍后再试；问题持续时请联系系统管理员。"),
}
CSRF_MESSAGE = N_("表单已过期或来源无法验证，请刷新页面后重新提交。")
# a view may say why with abort(403, description=OUT_OF_SCOPE)
OUT_OF_SCOPE = N_("该工单不属于您所在的部门或辖区，您无权查看。")
# the database has no tables, or older ones than the code (app/auth/errors.py)
NOT_MIGRATED_PAGE = N_("数据库尚未建立或未升级到当前版本，操作没有完成，数据未被改动。"
                       "请系统管理员运行 flask db upgrade。")
OWN_DESCRIPTIONS = {OUT_OF_SCOPE, NOT_MIGRATED_PAGE}


def render_error(err: HTTPException):
    """The HTML page for `err`, with its status code."""
    code = err.code or 500
    message = CSRF_MESSAGE if isinstance(err, CSRFError) else MESSAGES.get(code, MESSAGES[400])
    if err.description in OWN_DESCRIPTIONS:
        message = err.description
    dropped = getattr(request, "form_error", None)  # the body was unreadable (app/formbody.py)
    if code == 400 and dropped:
        message = FORM_BODY[dropped][1]  # not the CSRF message: the token was in that body
    title = TITLES.get(code, TITLES[400 if code < 500 else 500])
    template = "errors/500.html" if code >= 500 else "errors/error.html"
    return render_template(template, code=code, title=title, message=message), code


def render_internal_error():
    """The 500 page; its template touches neither the database nor the signed-in user."""
    return render_template("errors/500.html", code=500, title=TITLES[500],
                           message=MESSAGES[500]), 500
