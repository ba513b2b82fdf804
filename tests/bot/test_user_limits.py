"""What one user can do to the bot and to others: a steady flood is told to slow down once per window (not
after every message), and another user's suggestion buttons change nothing of theirs."""

from __future__ import annotations

from bot.chat.core import RateLimiter
from bot.chat.replies import Sender
from tests.conftest import html


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_user_past_the_limit_is_told_once_per_window_not_after_every_message(assistant):
    clock = FakeTime()
    assistant.limiter = RateLimiter(burst=5, per_minute=30, clock=clock)
    flooder = Sender(user_id=778, chat_id=778)
    replies = []
    for second in range(120):  # one message a second, twice the rate allowed
        clock.now = float(second)
        replies.append(await assistant.text(flooder, "青托申报"))
    notices = [s for s, r in enumerate(replies) if r and "请稍等片刻再试" in html(r)]
    answered = [s for s, r in enumerate(replies) if r and "022-27122522" in html(r)]
    assert len(notices) == 2 and notices[1] - notices[0] >= 60, notices  # once per minute of refusals
    assert 60 <= len(answered) <= 66  # the burst, then every other message
    clock.now = 300.0  # quiet for a while: the next refusal is told again
    for _ in range(6):
        last = await assistant.text(flooder, "青托申报")
    assert "请稍等片刻再试" in html(last)


async def test_another_users_suggestion_button_changes_nothing_of_theirs(assistant, storage):
    asker, other = Sender(user_id=801, chat_id=-500, chat_type="group"), Sender(user_id=802, chat_id=-500,
                                                                                  chat_type="group")
    qid = await storage.queries.log_query(user_key=assistant.key(asker), chat_type="group", text="青年人才的项目",
                                          norm="青年人才的项目", decision="suggest", reason="close",
                                          hits=[("13", 1.0), ("12", 0.9)], shown=None)
    replies = await assistant.press(other, f"sg|{qid}|13")
    assert replies[0].notice and "别人" in replies[0].notice and not html(replies)
    assert (await storage.queries.query(qid)).shown is None
    mine = await assistant.press(asker, f"sg|{qid}|13")  # its asker may
    assert "13 " in html(mine)
    assert (await storage.queries.query(qid)).shown == "13"
