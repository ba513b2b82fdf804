"""Every user-facing string of the assistant, in one place. Facts (phones, names) come from the data."""


WELCOME = (
    "您好！我是<b>科创服务助手</b>，帮您查找天津市科协《“科创中国”天津行动 科协组织科创服务资源清单》"
    "中的 {count} 项服务：奖项与人才举荐、职称评价、平台与对接活动、科普、智库、企事业科协建设……\n\n"
    "直接用自己的话提问就行，我会给出对应的服务、条件和联系电话。也可以：\n"
    "• /check 资格自查（一步步确认是否符合申报条件）\n"
    "• /browse 按分类浏览全部服务\n"
    "• /contact 各部门联系电话\n"
    "• /help 使用说明\n\n"
    "试试下面这些问法，或直接输入您的问题："
)
EXAMPLES = ("青托对年龄有什么要求", "我们公司想查国外专利", "科普大使归哪个部门管，电话多少")
HOT_HEADER = "\n\n最近大家常问："
HELP = (
    "<b>使用说明</b>\n"
    "• 直接提问，例如“{example}”。\n"
    "• 看到服务卡片后，可以接着问“电话多少”“需要什么条件”“怎么申请”。\n"
    "• /check 资格自查；/check 13 直接检查第13项服务。\n"
    "• /browse 按“部分 → 类别 → 服务”浏览。\n"
    "• /contact 部门通讯录。\n"
    "• /hot 最近的热点问题。\n"
    "• /cancel 退出正在进行的自查或留言。\n"
    "找不到答案时，可以选“留言给工作人员”，回复会发到这里。"
)
# The console chat (bot/transports/console.py): where one types instead of tapping.
CONSOLE_HINT = "（选项前的方括号里是要输入的内容：服务输入编号，例如 13；输入 /help 看说明，quit 或 Ctrl-D 退出。）"
CONSOLE_HELP = (
    "<b>在终端里</b>\n"
    "• 选项前的方括号里是要输入的内容：服务输入它的编号（例如 13），其他选项输入方括号里的数字或字母。\n"
    "• 资格自查中直接输入答案（是、否、不确定、数字或日期）。\n"
    "• 输入 quit 或 退出聊天，或按 Ctrl-D，结束对话。"
)
STAFF_HELP = "\n\n<b>工作人员</b>：/review 待处理问题，/stats [天数] 统计，/admin 网页管理台登录链接。"

EMPTY = "请输入您想咨询的问题，例如“{example}”。"
TOO_LONG = "您的消息有点长（超过 {limit} 字），请用一两句话描述您想了解的服务。"
NOT_TEXT = "抱歉，我目前只能阅读文字消息，请用文字描述您的问题。"
UNKNOWN_COMMAND = "没有这个命令。可用的命令：{commands}"


def unknown_command(menu: list[tuple[str, str]]) -> str:
    """Return the unknown-command reply listing the public commands."""
    return UNKNOWN_COMMAND.format(commands=" ".join(f"/{name}" for name, _ in menu))


STALE_BUTTON = "这个按钮已失效，请重新提问或使用 /browse。"
NOT_YOUR_QUESTION = "这是别人提问的候选，请直接提出您自己的问题。"
STAFF_ONLY = "此命令仅限工作人员使用。"
STAFF_PRIVATE_ONLY = "工作人员功能只能在与我的私聊中使用（群里的消息大家都看得到）。"
SLOW_DOWN = "您发送得太快了，请稍等片刻再试。"
ERROR_APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试。"

NO_ANSWER = (
    "抱歉，在科创服务资源清单里没有找到和这个问题对应的服务。\n"
    "• 可以换个说法再问，或用 /browse 按分类浏览；\n"
    "• 也可以拨打天津市科协电话 {phone} 咨询。"
)
NO_ANSWER_HANDOFF = "如需工作人员回复，请选“留言给工作人员”。"
OUT_OF_SCOPE = (
    "抱歉，这个问题不在天津市科协科创服务资源清单的范围内，我没法准确回答。\n"
    "如与科协服务有关，可拨打天津市科协电话 {phone} 咨询，或用 /browse 浏览全部服务。"
)
OTHER_LEVEL = (
    "清单里没有您问的这一级的项目，我没法准确回答；国家级的项目请以主办单位的通知为准。\n"
    "清单中有天津市的“{id} {title}”（{department}，电话 {phones}），如需要可以直接问它。\n"
    "其他问题可拨打天津市科协电话 {phone} 咨询。"
)
CHITCHAT = (
    "您好！我是科创服务助手（自动回复的程序，不是真人），可以帮您查天津市科协的科创服务、申报条件和联系电话。"
    "\n请直接说说您想了解什么，例如“{example}”。"
)
SUGGEST_HEADER = "您是不是想问："
# The middle band: the best answer shown as a guess, with the other candidates as buttons.
GUESS_HEADER = "您可能想问：（不一定准确，不是这一项的话请选下面的其他选项）"
GUESS_OTHERS = "其他可能："
# An English question gets the Chinese card and this one line.
ENGLISH_LINE = "In English: {name}. Contact: {department}, tel. {phones}."
# Someone who asks for a person.
HUMAN_REPLY = "好的，请选下面的“留言给工作人员”把问题留给我们，工作人员会回复到这里；急事可拨打天津市科协电话 {phone}。"
# A question asking whether one may apply, about a service that has an eligibility check.
CAN_APPLY_HINT = "想知道自己是否符合条件，可以选“检查我是否符合条件”，一步步做个资格自查。"
COMPARE_HEADER = "两项服务对比（摘自清单原文）："
# Policy documents (data/policies/).
POLICY_HEADER = "政策文件原文"
POLICY_SOURCE = "出处：{citation}"
POLICY_ISSUED = "（{issuer}{date}{number}）"
POLICY_LEAD_UNITS = "责任单位"
POLICY_SERVICE = "清单服务：{id} {title}"
POLICY_MORE = "同一文件的其他条目："
POLICY_NOT_STATED = "这几份政策文件里没有写这一点，我不能替文件回答。最接近的是{citation}（见下）。如需确切答复，可拨打天津市科协电话 {phone}，或选“留言给工作人员”。"
POLICY_GUESS = "政策文件里可能相关的条目（请以原文为准）："
POLICY_LIST = "<b>政策文件</b>（{count} 份，选一份查看它的条目）："
POLICY_PARTS = "<b>{title}</b>\n请选择条目："
POLICY_NONE = "没有找到这份文件。发送 /policy 查看全部文件。"
NONE_OF_THESE = "都不是"
NONE_OF_THESE_DONE = "好的，已记下这个问题，工作人员会据此完善答案。"

BTN_CONDITIONS = "📋 全部条件"
BTN_APPLY = "📝 怎么申请"
BTN_CONTACT = "☎️ 联系方式"
BTN_FULL = "📄 完整介绍"
BTN_CHECK = "✅ 检查我是否符合条件"
BTN_UP = "👍 有帮助"
BTN_DOWN = "👎 没帮助"
BTN_HANDOFF = "✉️ 留言给工作人员"
BTN_RELATED = "相关：{title}"
BTN_BACK = "⬅️ 上一步"
BTN_CANCEL = "✖️ 退出自查"
BTN_CANCEL_INPUT = "✖️ 取消"
BTN_RESTART_CHECK = "🔁 重新自查"
BTN_RESUME = "▶️ 继续自查（第 {number} 题）"
BTN_PREV_PAGE = "上一页"
BTN_NEXT_PAGE = "下一页"
BTN_TOP = "返回目录"
BTN_FINDER = "🔎 帮我找服务"

FEEDBACK_UP = "谢谢反馈！"
FEEDBACK_DOWN = "谢谢反馈，我们会改进。需要工作人员回复的话，可以选“留言给工作人员”。"
FEEDBACK_AGAIN = "已收到您的反馈。"

HANDOFF_PROMPT = "请直接发送您想问工作人员的问题（一条消息），发送 /cancel 可以取消。"
HANDOFF_DONE = "已转给工作人员，回复会发到这里。一般工作日内处理，急事可拨打 {phone}。"
STAFF_REPLY_PREFIX = "【工作人员回复】\n"
STAFF_REPLY_QUOTE = "您的问题：{question}\n\n"

SECTION_MISSING = "清单中这项服务没有写“{what}”方面的内容，具体可以咨询下面的联系部门。"
CONTACT_LABEL = "联系部门"
PHONE_LABEL = "联系电话"
FAX_LABEL = "传真"
EMAIL_LABEL = "电子邮箱"
WEBSITE_LABEL = "网址"
DOCUMENT_LABEL = "相关文件"
NOTE_LABEL = "补充说明"
TRUNCATED = "…（内容较长，选“{button}”查看全部）"

FOLLOWUP_HINT = "（接着问的是“{title}”）"
COUNTERPART_HINT = "（上面是“{previous}”；您问的是另一级的同类项目：“{title}”）"
FOLLOWUP_FIRST_CHOICE = "（按上面第一项“{title}”回答；不是这一项的话，请选下面的其他选项）"
CORRECTED = "（已按“{terms}”理解）"
LEAD_LABEL = "清单原文"
QUOTE = "「{text}」"
LEAD_MISSING = "清单中这项服务没有写{what}，具体请咨询下面的联系部门。"
LEAD_MISSING_GENERAL = "清单中这项服务没有写您问的这一点，具体请咨询下面的联系部门。"
RELATED_HEADER = "和“{title}”相关的服务："
RELATED_NONE = "清单里没有和“{title}”同类的其他服务了。可以用 /browse 按分类浏览全部服务。"
PROFILE_HEADER = "根据您的情况，下面这些服务可能适合您（选一项看详情）："
PROFILE_MORE = "也可以用“🔎 帮我找服务”按身份和需求筛选，或用 /check 做资格自查。"
PROFILE_RULED_OUT = "按您说的{stated}，下面这些不符合清单的条件，没有列在上面："
PROFILE_RULED_OUT_ITEM = "• {id} {title}：「{quote}」（{department} {phone}）"
STATED_AGE = "{age}岁"
STATED_GENDER = {"male": "男性", "female": "女性"}
THANKS = "不客气！还有其他问题随时问我。"
BYE = "再见！需要时随时来问。"
SOCIETY_NONE = "清单里没有名称中带“{field}”的学会。{discipline}类的学会有："

BROWSE_ROOT = "全部 {count} 项服务分为五个部分，请选择："
BROWSE_PART = "<b>{part}</b>\n请选择类别："
BROWSE_SECTION = "<b>{section}</b>（{count} 项）\n请选择服务："
BROWSE_APPENDIX = "附录"

CONTACT_HEADER = "<b>部门通讯录</b>（找到您要办的事，打它那一行的电话；也可以直接问，例如“青托电话多少”）"
CONTACT_DEPARTMENT = "<b>{name}</b>"
CONTACT_PHONES = "☎ {phones}：{services}"
SWITCHBOARD = "不知道找哪个部门：天津市科协 {phone}（地址：{address}）"

SOCIETIES_MATCHED = "天津市科协所属学会中，和您的问题相关的有："
SOCIETIES_SUMMARY = "天津市科协所属学会、协会、研究会共 <b>{count}</b> 个（截至 {as_of}）：{groups}。"
SOCIETIES_BY_DISCIPLINE = "<b>{discipline}</b>（{count} 个）"
BTN_DISCIPLINE = "{discipline}（{count}）"
RULES_HEADER = "《{name}》"
RULES_MORE = "全文共 {count} 条，可以继续问具体问题，例如会员权利、经费、如何建立。"
RULES_CONTACT = "企业科协建设咨询（第{service}项“{title}”）："
ORG_CONTACT = "地址：{address}（邮编 {postcode}）\n电话：{phones}\n网址：{websites}"

CHECK_LIST = "可以做资格自查的服务（选一项开始，也可以直接发送服务编号或名称，例如 13 或 青托）："
CHECK_UNKNOWN = "第 {service} 项服务没有可自查的申报条件，下面是它的介绍。"
CHECK_NOT_FOUND = "没有编号为“{arg}”的服务。发送 /check 查看可自查的服务列表。"
CHECK_START = "<b>{title}</b>\n{intro}\n最多 {most} 个问题，用不上的会自动跳过。"
CHECK_QUESTION = "<b>第 {number} 题</b>　{prompt}"
CHECK_CANCELLED = "已退出资格自查。随时可以用 /check 重新开始。"
PENDING_CANCELLED = "已取消。"
CHECK_NOTHING = "目前没有进行中的自查或留言。"
CHECK_EXPIRED = "您之前的资格自查超过 {minutes} 分钟没有继续，已自动结束。需要的话可以用 /check 重新开始。"
CHECK_STALE = "这个问题已经回答过了，下面是当前的问题。"
CHECK_PAUSED = "（资格自查还在进行，回答完上面的问题后可以选“继续自查”。）"

VERDICT_TITLE = {"符合": "✅ 初步判断：符合", "不符合": "❌ 初步判断：不符合", "需人工确认": "❓ 初步判断：需人工确认"}
VERDICT_INTRO = {
    "符合": "根据您的回答，您符合《{title}》清单列出的各项条件（最终以主办单位评审为准）：",
    "不符合": "根据您的回答，以下条件不满足：",
    "需人工确认": "根据您的回答，以下条件需要联系部门人工确认：",
}
VERDICT_NOTES = "需要注意"
VERDICT_AGE_DATE = "年龄按 {year} 年 {month} 月 {day} 日计算（{why}）"
VERDICT_AGE_VALUE = "，按您的回答届时满 {age} 周岁"
VERDICT_AGE_TYPED = "，按您回答的 {age} 周岁判断"
VERDICT_AGE_BIRTHDAY = "；如果到那天您已满 {next} 周岁，请按 {next} 岁重新自查"
AGE_WHY_DEFAULT = "即今年年底；实际以当年通知规定的计算日期为准"
AGE_WHY_SET = "市科协为本轮评选设定的计算日期"
VERDICT_NEXT_CALL = "清单没有写申报方式：请向下面的联系部门询问本轮的申报时间、方式和所需材料。"
VERDICT_NEXT = "<b>下一步</b>"
VERDICT_CONTACT = "如有疑问请联系："

FINDER_AUDIENCE = "<b>{title}</b>\n{intro}\n\n{prompt}"
FINDER_RESULTS = "适合“{audience}”的“{need}”类服务："
FINDER_NONE = "清单里没有专门面向“{audience}”的“{need}”类服务。可以换个选择再找，或拨打天津市科协电话 {phone} 咨询。"
BTN_FINDER_AGAIN = "🔎 重新选择"

HOT_EMPTY = "最近还没有足够的提问数据。"
HOT_HEADER_FULL = "最近 {days} 天大家最常查看的服务："

# -- staff ---------------------------------------------------------------------------------------
REVIEW_EMPTY = "目前没有待处理的问题。"
REVIEW_HEADER = "<b>待处理问题</b>（共 {total} 条，第 {page} 页）"
REVIEW_ITEM = "<b>#{n}</b> {text}\n　出现 {count} 次｜首次 {first}｜最近 {last}｜{kinds}\n　猜测：{guesses}"
REVIEW_CONTEXT = "\n　上一轮：{context}"
REVIEW_KINDS = {"unanswered": "未答出", "suggest": "未选择", "down": "👎", "none": "都不是"}
REVIEW_TICKETS = "<b>留言</b>（共 {total} 条未回复）"
REVIEW_TICKET = "<b>留言 {n}</b>（{when}）{text}"
BTN_LINK = "关联 #{n}"
BTN_DISMISS = "忽略 #{n}"
BTN_REPLY = "回复留言 {n}"
BTN_CLOSE_TICKET = "关闭留言 {n}"
TICKET_CLOSED = "已关闭留言（未回复）：“{text}”。"
BTN_SEARCH = "🔍 按关键词或编号搜索服务"
BTN_UNLINK = "撤销关联"
LINK_PICK = "把问题“{text}”关联到哪项服务？"
LINK_SEARCH_PROMPT = "请输入关键词或服务编号（例如 13），我列出候选服务。"
LINK_DONE = "已把“{text}”关联到 {id} {title}。同样或几乎相同的问题现在会直接回答这项服务。"
UNLINK_DONE = "已撤销关联：{summary}。"
DISMISS_DONE = "已忽略：“{text}”。"
STAFF_SEARCH_NONE = "没有找到匹配的服务，请换个关键词或直接输入编号。"
STAFF_REPLY_PROMPT = "请发送给用户的回复（一条消息），发送 /cancel 取消。\n用户的留言：{text}"
STAFF_REPLY_DONE = "回复已发送给用户。"
STAFF_REPLY_GONE = "这条留言已经处理过，或用户的会话信息已清除。"
STAFF_ITEM_GONE = "这个问题已经处理过了（可能是别的工作人员刚处理的）。"
STAFF_ITEM_PURGED = "这个问题的原文已按保存期限清除，无法据此教学。"
STATS = (
    "<b>近 {days} 天统计</b>\n"
    "提问 {questions} 次：直接回答 {answered}，给出候选 {suggest}，未答出 {unanswered}\n"
    "回答率 {answer_rate}，未答出率 {unanswered_rate}\n"
    "👍 {up}　👎 {down}（好评率 {ratio}）　都不是 {none}\n"
    "资格自查：开始 {starts}，完成 {verdicts}{verdict_counts}\n"
    "<b>最常未答出</b>\n{top_unanswered}\n"
    "<b>最常查看的服务</b>\n{top_services}"
)
STATS_BAD_DAYS = "用法：/stats 或 /stats 7（天数 1–365）。"
NONE_YET = "（暂无）"

ADMIN_NO_URL = ("网页管理台的公开地址（BOT_ADMIN_URL）还没有设置，暂时不能发登录链接。"
                "请管理员设置后重启机器人，或在服务器上运行 python -m bot.review login-url。")
ADMIN_LINK = "网页管理台登录链接（{minutes} 分钟内有效，只能用一次，请勿转发）：\n{url}"

# Who made a change, as staff read it (stored as "cli" or "telegram:<staff id>").
WHO_CLI = "服务器命令行"
WHO_TELEGRAM = "Telegram 工作人员 {id}"


def person(who: str) -> str:
    """Return who made a staff change in words: the server's command line, or a staff member by Telegram id."""
    if who == "cli":
        return WHO_CLI
    if who.startswith("telegram:"):
        return WHO_TELEGRAM.format(id=who.removeprefix("telegram:"))
    return who


# -- staff changes, as the history (audit) lists them ------------------------------------------------
QUEUE_NAMES = {"unanswered": "未答出", "suggest": "未选择", "down": "👎 没帮助", "none": "都不是", "ticket": "留言",
               "declined": "已拒答", "noise": "噪声/闲聊"}
AUDIT_LINK = "把“{text}”关联到 {id} {title}"
AUDIT_LINK_MORE = "把“{text}”等 {n} 个问题关联到 {id} {title}"
AUDIT_LINK_FOLLOWUP = "把接着“{context}”问的“{text}”关联到 {id} {title}"
AUDIT_OUT_OF_SCOPE = "把“{text}”标为范围外"
AUDIT_OUT_OF_SCOPE_MORE = "把“{text}”等 {n} 个问题标为范围外"
AUDIT_TERM = "教会术语：“{typed}”→“{meant}”"
AUDIT_DISMISS = "忽略“{text}”"
AUDIT_DISMISS_MORE = "忽略“{text}”等 {n} 个问题"
AUDIT_REPLY = "回复留言“{text}”"
AUDIT_CLOSE = "关闭留言（未回复）“{text}”"
AUDIT_REMOVE_ALIAS = "删除关联：“{text}”→ {id}"
AUDIT_REMOVE_TERM = "删除术语：“{typed}”→“{meant}”"
AUDIT_REMOVE_OUT_OF_SCOPE = "删除范围外示例：“{text}”"
AUDIT_REMOVE_FOLLOWUP = "删除接着问的关联：“{text}”→ {id}"
AUDIT_UNDO = "撤销：{summary}"
