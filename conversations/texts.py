"""Default wording the engine uses when a flow file gives no specific message."""

YESNO_ERROR = {
    True: "请回答“是”“否”或“不确定”（也可以回复 1、2、3）。",
    False: "请回答“是”或“否”（也可以回复 1 或 2）。",
}
OPTION_ERROR = "请从选项中选择一项，可以回复选项前的数字。"
NUMBER_ERROR = "请输入 {min}–{max} 之间的数字{unit}，例如 {example}。"
DATE_ERROR = "请按“年-月-日”输入日期，例如 1990-05-01。"
