"""Demo reference data: real districts and departments of Shenzhen and Nanjing, real service
items, and the channel shares Shenzhen reported for 2024 (DOMAIN.md). Department codes are
invented but well-formed unified social credit codes (check digit per GB 32100-2015)."""

from __future__ import annotations

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(region6: str, serial: int) -> str:
    """A well-formed code for a government organ (11) in a region: 11 + region + 9-char org
    code + GB 32100 check character."""
    body = f"11{region6}{serial:08d}X"[:17]
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


# 行政区划: (12-digit code, name, weight)
SHENZHEN_DISTRICTS = [
    ("440304000000", "福田区", 14), ("440303000000", "罗湖区", 9), ("440305000000", "南山区", 14),
    ("440306000000", "宝安区", 18), ("440307000000", "龙岗区", 17), ("440308000000", "盐田区", 3),
    ("440309000000", "龙华区", 12), ("440310000000", "坪山区", 5), ("440311000000", "光明区", 5),
]
NANJING_DISTRICTS = [
    ("320102000000", "玄武区", 4), ("320104000000", "秦淮区", 4), ("320105000000", "建邺区", 3),
    ("320106000000", "鼓楼区", 5),
]

# City departments: (key, name, region6)
DEPARTMENTS = [
    ("sz_police", "深圳市公安局", "440300"),
    ("sz_market", "深圳市市场监督管理局", "440300"),
    ("sz_hrss", "深圳市人力资源和社会保障局", "440300"),
    ("sz_housing", "深圳市住房和建设局", "440300"),
    ("sz_land", "深圳市规划和自然资源局", "440300"),
    ("sz_tax", "国家税务总局深圳市税务局", "440300"),
    ("sz_medical", "深圳市医疗保障局", "440300"),
    ("sz_fund", "深圳市住房公积金管理中心", "440300"),
    ("sz_transport", "深圳市交通运输局", "440300"),
    ("nj_police", "南京市公安局", "320100"),
    ("nj_market", "南京市市场监督管理局", "320100"),
    ("nj_hrss", "南京市人力资源和社会保障局", "320100"),
    ("nj_land", "南京市规划和自然资源局", "320100"),
]

# 服务事项: (department key suffix, 基本编码, 事项名称)
ITEMS = [
    ("police", "0001730001", "居民身份证换领"),
    ("police", "0001730025", "往来港澳通行证及签注"),
    ("police", "0001730041", "居住证签发"),
    ("market", "0000950001", "企业设立登记"),
    ("market", "0000950012", "个体工商户注册登记"),
    ("hrss", "0001370004", "社会保障卡申领"),
    ("hrss", "0001370019", "失业保险金申领"),
    ("hrss", "0001370031", "灵活就业人员参保登记"),
    ("housing", "0001580007", "建筑工程施工许可"),
    ("land", "0001510010", "不动产登记"),
    ("tax", "0001650003", "增值税发票申领"),
    ("medical", "0001910006", "基本医疗保险关系转移接续"),
    ("fund", "0001580101", "住房公积金提取"),
    ("transport", "0001730210", "道路运输从业资格证换证"),
]

# Shenzhen 2024 channel shares: app 73.22%, hall 24.04%, web 2.72%, SMS 0.93%, hotline 0.29%.
CHANNEL_WEIGHTS = {
    "mobile": 73.22, "hall_tablet": 17.5, "qrcode": 4.5, "hall_terminal": 2.04,
    "pc": 2.72, "sms": 0.93, "phone": 0.29,
}
HALL_CHANNELS = {"hall_tablet", "qrcode", "hall_terminal"}

GOOD_TAGS = ["服务热情", "办事高效", "一次办好", "指引清晰", "材料精简", "环境整洁"]
BAD_TAGS = ["等候时间长", "办事流程繁琐", "服务态度差", "系统卡顿", "材料要求多",
            "一次性告知不到位", "办理时限长", "业务不熟练"]
BAD_TEXTS = [
    "排队两个多小时，叫号系统还出错。", "来了三次都说材料不全，每次说法不一样。",
    "窗口工作人员态度冷淡，问问题不耐烦。", "手机上提交后一直显示审核中，也没人联系。",
    "APP上传照片总是失败，只能跑现场。", "规定的办理时限已经过了还没有结果。",
    "电话一直打不通，咨询不到具体要求。", "同一个证明要求在两个窗口分别提交。",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晓东", "嘉怡", "子轩"]
STAFF = ["陈晓", "林静", "黄俊", "刘洋", "周敏", "吴涛", "郑丽", "何强", "梁晨", "谢芳"]

# Departments that own the channel systems in the rules (rules/*.yaml, routing.systems): they
# answer for reviews of a system's usability. key → (code, name, region6)
SYSTEM_OWNERS = {
    "sz_zwfw": ("11440300MB2D8R104E", "深圳市政务服务和数据管理局", "440300"),
    "js_zwb": ("11320000MB1A2C3D4E", "江苏省政务服务管理办公室", "320000"),
}
# The 12345 hotline and the management agency (政务服务管理机构) of each demo city:
# jurisdiction → (key, 12-digit region, city)
CITIES = {
    "shenzhen": ("sz", "440300000000", "深圳市"),
    "jiangsu": ("nj", "320100000000", "南京市"),
}
