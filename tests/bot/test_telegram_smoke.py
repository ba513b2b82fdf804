"""A first end-to-end run of the real Application against the fake Bot API."""

import asyncio


async def wait(api, chat_id, count=1):
    return await asyncio.to_thread(api.wait_sent, chat_id, count)


async def test_question_gets_card_with_phone(running_bot):
    api = running_bot
    api.send_text("青托对年龄有什么要求", user_id=501)
    sent = await wait(api, 501)
    text = sent[0].params["text"]
    assert "实施天津市青年人才托举工程" in text and "022-27122522" in text
    assert sent[0].params["parse_mode"] == "HTML"
