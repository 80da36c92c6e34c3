"""Every option of every command, fed hostile input, gets an answer or a kind refusal and
never an internal error ("... give an admin this error id"). The registry is walked, so a
command added tomorrow is fuzzed too. Both ways a command arrives are covered: a typed
line (`Dispatcher.run_line`: the console and Slack) and typed options (`Dispatcher.run`
with an Invocation: Discord), as a member and as an admin, in a study group's channel and
outside one, on whichever database the run uses (SQLite, or PostgreSQL with
COHORT_TEST_BACKEND=postgres). Platform ids (user, channel, team) are not fuzzed here."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.commands import build_registry
from bot.commands.parse import parse_command_line
from bot.commands.registry import Command, Option, OptionKind
from bot.messages import Invocation, OptionValue, Place, Platform, Reply
from tests.conftest import GENERAL, Cohort

REGISTRY = build_registry()
ELSEWHERE = Place(Platform.DISCORD, GENERAL.workspace_id, "off-topic")
PLACES = (GENERAL, ELSEWHERE)  # GENERAL is made a study group before the fuzzing starts
PEOPLE = ("ana", "boss")  # a member, and a community admin

# Whole values that parsers are known to mistake, or that broke a command once.
NASTY = (
    "\x00",
    "py\x00thon",
    "\x1b[31mred",
    "\u202etxt.exe",
    "\u200b",
    "²-08",
    "²:00",
    "٠٩:٠٠",
    "1_000",
    "inf",
    "-inf",
    "NaN",
    "1e309",
    "-1e309",
    "1e-400",
    "9" * 400,
    "0x10",
    "24:00",
    "99-99",
    "localtime",
    "Factory",
    "posixrules",
    "../../etc/passwd",
    "`",
    "**[phish](https://evil.example)**",
    "https://www.kaggle.com/x)**[phish](https://evil.example)",
    "https://user@www.kaggle.com/c/titanic",
    "https://www.kaggle.com:8443/c/titanic",
    "http://[::1",
    "<@123456789> @everyone <!channel>",
    "name: value: other:",
    "' OR 1=1 --",
    "x" * 5000,
    "\U0001f600" * 200,
)
# Digits of other scripts, which `str.isdigit` (and some of them `int`) accept.
DIGIT_SCRIPTS = tuple(
    str.maketrans("0123456789", digits)
    for digits in ("⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉", "٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９")
)
# Characters slipped into an otherwise good value.
SLIPS = ("\x00", "\x01", "\x1b", "\x7f", "\u200b", "\u202e", "\n", "`", "*", "[", "_", ":", " ")


def _good_values() -> dict[tuple[str, str], str]:
    """A value that works for each option, from the commands' own examples."""
    good: dict[tuple[str, str], str] = {}
    for command in REGISTRY.commands:
        for example in command.examples:
            for name, value in parse_command_line(example, REGISTRY)[1].items():
                good.setdefault((command.name, name), str(value))
    return good


GOOD = _good_values()
BY_KIND = {
    OptionKind.INTEGER: "6",
    OptionKind.NUMBER: "2.5",
    OptionKind.STEP: "python-basics",
    OptionKind.TRACK: "ml-engineer",
    OptionKind.MEMBER: "ana",
    OptionKind.TIMEZONE: "Europe/Berlin",
}


def good_value(command: Command, option: Option) -> str:
    if (command.name, option.name) in GOOD:
        return GOOD[command.name, option.name]
    if option.choices:
        return option.choices[0]
    return BY_KIND.get(option.kind, "word")


@st.composite
def slipped(draw: st.DrawFn, good: str) -> str:
    """`good` with a few characters changed: a digit from another script, a control
    character or a markup character slipped in, or a piece cut out."""
    text = good
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(("digit", "slip", "cut")))
        digits = [i for i, char in enumerate(text) if char.isascii() and char.isdigit()]
        if how == "digit" and digits:
            i = draw(st.sampled_from(digits))
            text = (
                text[:i] + text[i].translate(draw(st.sampled_from(DIGIT_SCRIPTS))) + text[i + 1 :]
            )
        elif how == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
        else:
            text = text[:at] + draw(st.sampled_from(SLIPS)) + text[at:]
    return text


def hostile_text(good: str) -> st.SearchStrategy[str]:
    return st.one_of(
        slipped(good),
        st.sampled_from(NASTY),
        st.text(max_size=40),  # any unicode but lone surrogates, control characters included
        st.integers().map(str),
        st.floats().map(str),
        st.tuples(st.sampled_from(NASTY), st.just(good), st.text(max_size=6)).map("".join),
        st.text(min_size=1, max_size=3).map(lambda piece: piece * 1000),
    )


# What a platform may send as a typed value: text, or a number or a flag.
def hostile_value(good: str) -> st.SearchStrategy[OptionValue]:
    return st.one_of(hostile_text(good), st.integers(), st.booleans())


# Each option the registry declares; a command without options gets words it does not take.
TARGETS = [(command, option) for command in REGISTRY.commands for option in command.options]
BARE = [command for command in REGISTRY.commands if not command.options]
FUZZ = settings(
    max_examples=20,
    deadline=None,
    # an example runs every command, so shrinking one would take minutes; the failure
    # message quotes exactly what was sent instead
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    # the app and its database are built once and shared by all examples
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def _assert_answered(reply: Reply, sent: object) -> None:
    internal = "error id" in reply.body or "went wrong on my side" in reply.body
    assert not internal, f"an internal error for {sent!r}: {reply.body}"
    if reply.is_error:
        assert reply.body.strip(), f"an empty refusal for {sent!r}"


def _others(command: Command, fuzzed: Option | None) -> dict[str, str]:
    return {o.name: good_value(command, o) for o in command.options if o is not fuzzed}


def test_every_command_and_option_is_fuzzed() -> None:
    fuzzed = {c.name for c, _ in TARGETS} | {c.name for c in BARE}
    assert fuzzed == REGISTRY.names
    assert len(TARGETS) >= 30, "the registry is walked, not a hand-picked list"


@FUZZ
@given(data=st.data())
async def test_typed_lines_never_end_in_an_internal_error(
    group: Cohort, data: st.DataObject
) -> None:
    """Each example feeds every option of every command one hostile value."""
    for command, option in [*TARGETS, *((c, None) for c in BARE)]:
        good = good_value(command, option) if option is not None else "word"
        value = data.draw(
            hostile_text(good), label=f"/{command.name} {getattr(option, 'name', '')}"
        )
        rest = " ".join(f"{k}: {v}" for k, v in _others(command, option).items())
        if option is not None and data.draw(st.booleans(), label="by name"):
            line = f"/{command.name} {rest} {option.name}:{value}"
        else:  # the first free option takes it, or it is one word too many
            line = f"/{command.name} {value} {rest}"
        person, place = data.draw(st.sampled_from(PEOPLE)), data.draw(st.sampled_from(PLACES))
        reply = await group.app.dispatcher.run_line(line, actor=group.actor(person), place=place)
        _assert_answered(reply, line)


@FUZZ
@given(data=st.data())
async def test_typed_options_never_end_in_an_internal_error(
    group: Cohort, data: st.DataObject
) -> None:
    """Each example sends every option of every command one hostile value."""
    for command, option in [*TARGETS, *((c, None) for c in BARE)]:
        good = good_value(command, option) if option is not None else "word"
        value = data.draw(
            hostile_value(good), label=f"/{command.name} {getattr(option, 'name', '')}"
        )
        options: dict[str, OptionValue] = dict(_others(command, option))
        options[option.name if option is not None else "extra"] = value
        person, place = data.draw(st.sampled_from(PEOPLE)), data.draw(st.sampled_from(PLACES))
        invocation = Invocation(command.name, group.actor(person), place, options)
        reply = await group.app.dispatcher.run(invocation)
        _assert_answered(reply, options)
