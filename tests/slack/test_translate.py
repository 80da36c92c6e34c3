"""Replies as Block Kit, and Slack payloads as the core's types."""

from __future__ import annotations

from adapters.slack import translate
from bot.messages import Button, ButtonStyle, Field, Platform, ProgressBar, Reply


def test_markup_becomes_slack_mrkdwn() -> None:
    text = "**Done** [Pro Git](https://git-scm.com/book) & <b>"
    assert translate.mrkdwn(text) == "*Done* <https://git-scm.com/book|Pro Git> &amp; &lt;b&gt;"


def test_a_reply_as_blocks() -> None:
    reply = Reply(
        title="📈 **Your** progress",
        body="**2 of 37** steps",
        fields=(Field("Phase", "Foundations", inline=True), Field("Next", "`dev-tools`")),
        progress=(ProgressBar("Foundations", 2, 7),),
        buttons=(
            Button("Start", "start", {"step": "dev-tools"}, ButtonStyle.PRIMARY),
            Button("Delete", "me forget", {"confirm": "yes"}, ButtonStyle.DANGER),
        ),
    )
    out = translate.blocks(reply)
    assert [b["type"] for b in out] == [
        "header",
        "section",
        "section",
        "section",
        "section",
        "actions",
    ]
    assert out[0]["text"]["text"] == "📈 Your progress"
    assert out[1]["text"]["text"] == "*2 of 37* steps"
    assert out[2]["text"]["text"] == "`███░░░░░░░` Foundations · 2/7"
    assert out[3]["fields"] == [{"type": "mrkdwn", "text": "*Phase*\nFoundations"}]
    assert out[4]["text"]["text"] == "*Next*\n`dev-tools`"
    start, delete = out[5]["elements"]
    assert start["action_id"] == "cohort:start?step=dev-tools"
    assert start["style"] == "primary"
    assert delete["style"] == "danger"


def test_errors_are_marked_and_long_text_is_clipped() -> None:
    out = translate.blocks(Reply.error("x" * 5000))
    assert out[0]["text"]["text"].startswith("⚠️ xxx")
    assert len(out[0]["text"]["text"]) == translate.SECTION_LIMIT


def test_where_and_who_a_slash_command_comes_from() -> None:
    payload = {"team_id": "T1", "channel_id": "C9", "user_id": "U5", "user_name": "ana"}
    place = translate.place_of(payload)
    actor = translate.actor_of(payload, is_admin=True)
    assert (place.platform, place.workspace_id, place.channel_id) == (Platform.SLACK, "T1", "C9")
    assert (actor.user_id, actor.display_name, actor.is_admin) == ("U5", "ana", True)


def test_where_and_who_an_interaction_comes_from() -> None:
    payload = {
        "team": {"id": "T1"},
        "channel": {"id": "C9"},
        "user": {"id": "U5", "username": "ana"},
    }
    assert translate.place_of(payload).channel_id == "C9"
    assert translate.actor_of(payload, is_admin=False).display_name == "ana"


def test_the_checkin_form_and_its_answers() -> None:
    view = translate.checkin_modal("T1/C9.0123456789ab")
    assert view["private_metadata"] == "T1/C9.0123456789ab"
    assert [b["block_id"] for b in view["blocks"]] == ["finished", "next", "blockers", "hours"]
    submitted = {
        "state": {
            "values": {
                "finished": {"finished": {"value": "python-basics"}},
                "next": {"next": {"value": "  "}},
                "hours": {"hours": {"value": "6"}},
            }
        }
    }
    assert translate.checkin_answers(submitted) == {"finished": "python-basics", "hours": "6"}
