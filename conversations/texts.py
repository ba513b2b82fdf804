"""Wording the engine and the answer reader use when a flow file gives no specific message.

Placeholders: {text} is the user's reply (shortened), {unit} the question's unit, {example} a value to copy.
"""

YESNO_ERROR = "请回答“是”“否”或“不确定”（也可以回复 1、2、3）。"
YESNO_MIXED = "“{text}”里既有肯定也有否定，请只回答“是”“否”或“不确定”（也可以回复 1、2、3）。"
FACT_HINT = "拿不准可以回答“不确定”。{help}"

OPTION_ERROR = "请从选项中选择一项，可以回复选项前的数字。"
OPTION_WHICH = "您指的是哪一项：{candidates}？请回复选项前的数字。"
OPTION_CANDIDATE = "{number}.“{label}”"
OPTION_CANDIDATE_JOIN = "，"

NUMBER_ERROR = "请输入 {min}–{max} 之间的数字{unit}，例如 {example}。"
NUMBER_RANGE = "“{text}”超出了可回答的范围。请输入 {min}–{max} 之间的数字{unit}，例如 {example}。"
NUMBER_SEVERAL = "回复里有不止一个数字，请只输入一个数字{unit}，例如 {example}。"
NUMBER_APPROX = "“{text}”是个大概的数，这一步需要确切的数字{unit}，例如 {example}。"
NUMBER_FRACTION = "“{text}”不是整数，这一步请输入整数{unit}，例如 {example}。"
NUMBER_PERCENT_DECIMAL = "“{text}”是指 {percent}% 吗？请按百分数输入 0–100 之间的数字，例如 {percent}。"
NUMBER_NEED_EXACT = "只凭“{text}”还不能判断是否符合条件，请输入确切的数字{unit}，例如 {example}。"

DATE_ERROR = "请按“年-月-日”输入日期，例如 1990-05-01。"
DATE_BAD_MONTH = "“{text}”不是有效的日期：月份只有 1–12 月。请重新输入，例如 1990-05-01。"
DATE_BAD_DAY = "“{text}”不是有效的日期：{year} 年 {month} 月只有 {days} 天。请重新输入，例如 {year}-{month:02d}-{days:02d}。"
DATE_FUTURE = "“{text}”晚于 {reference}，日期不能在将来。请检查年份后重新输入，例如 1990-05-01。"
DATE_TOO_EARLY = "“{text}”早于 1900 年，请检查年份后重新输入，例如 1990-05-01。"
DATE_TWO_DIGIT = "“{text}”可能是 {early} 年，也可能是 {late} 年，请写出四位年份，例如 {late}-05-01。"
DATE_NO_YEAR = "请连同年份一起输入，例如 1990-{month:02d}-{day:02d}。"
DATE_AGE_GIVEN = "这一步需要日期（不是年龄），请按“年-月-日”输入，例如 1990-05-01。"
DATE_SEVERAL = "回复里有不止一个日期，请只输入一个，例如 1990-05-01。"
DATE_NEED_FULL = "只凭“{text}”还不能判断年龄是否符合条件，请输入完整的日期（年-月-日），例如 {example}。"
