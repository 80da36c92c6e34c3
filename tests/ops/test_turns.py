"""Long work gives way: a loop that calls `Turns.take` on each step lets everything else
waiting on the event loop run once it has worked for `every` seconds, and not before."""

from __future__ import annotations

import asyncio

from bot.ops.turns import Turns


class Stopwatch:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_work_gives_way_once_it_has_run_its_turn_and_not_before() -> None:
    watch = Stopwatch()
    ways: list[float] = []

    async def give_way() -> None:
        ways.append(watch.now)

    turns = Turns(every=0.002, give_way=give_way, clock=watch)
    for _ in range(3):  # quick steps: no turn given yet
        watch.now += 0.0005
        await turns.take()
    assert ways == []
    watch.now += 0.0005  # 2 ms of work in all
    await turns.take()
    assert ways == [0.002]
    watch.now += 0.001
    await turns.take()
    assert ways == [0.002], "a new turn counts from the last one given"
    watch.now += 0.001
    await turns.take()
    assert ways == [0.002, 0.004]
    assert turns.given == 2


async def test_others_waiting_run_while_long_work_is_still_under_way() -> None:
    """A loop of busy steps, and a task that only needs one pass of the event loop: it runs
    before the loop has finished."""
    watch = Stopwatch()
    ran: list[int] = []
    steps = 0

    async def other() -> None:
        ran.append(steps)

    async def long_work() -> None:
        nonlocal steps
        turns = Turns(every=0.002, clock=watch)
        while steps < 100:
            steps += 1
            watch.now += 0.001  # a step of a millisecond's work
            await turns.take()

    waiting = asyncio.get_running_loop().create_task(other())
    await long_work()
    await waiting
    assert ran == [2], "the other task ran as soon as the work had run its 2 ms"
