"""Places carried across a round trip (a button sent by DM, a form's hidden metadata) are
sealed: the bot signs the place together with the one person it was sent to and the one
action it may run, and trusts a carried place only when the seal is its own, the person
pressing is that person and the action is that action.

A seal also names its purpose (`Purpose`), so a seal made for one use is refused in another.
A seal is short enough to ride in a Discord custom id (100 characters in all): the ids as
they are, and twelve characters of HMAC-SHA256. Each platform's key comes from the settings
(`Settings.seal_key`), so every process serving it checks the seals of the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable
from enum import StrEnum

from bot.messages import Place, Platform

NOT_SEALED = (
    "That button or form wasn't made for you by me, so nothing was changed. "
    "Use the commands in your group's channel instead."
)
SealFor = Callable[[str], str | None]  # a button's action id -> its sealed place
MAC_LENGTH = 12  # base64url characters: 72 bits
_ID = r"[A-Za-z0-9_-]{1,32}"
_SEAL = re.compile(rf"\A({_ID})/({_ID})\.([A-Za-z0-9_-]{{{MAC_LENGTH}}})\Z")


class Purpose(StrEnum):
    # A button in a DM the scheduler sent: pressed later, perhaps after the member left, so
    # the place is checked against their membership and runs no admin command.
    DM_BUTTON = "dm"
    # A form opened in a channel the platform had just vouched for, for this very person:
    # its answer lands where the form was opened.
    FORM = "form"


class PlaceSeals:
    def __init__(self, key_for: Callable[[Platform], bytes]) -> None:
        self._keys = {platform: key_for(platform) for platform in Platform}
        if any(len(key) < 16 for key in self._keys.values()):
            msg = "a seal key needs at least 16 bytes"
            raise ValueError(msg)

    def seal(self, place: Place, user_id: str, purpose: Purpose, action: str) -> str | None:
        """`place`, sealed for `user_id` to run `action` (a button's action id) for one
        `purpose`; None for ids no seal can carry."""
        token = f"{place.workspace_id}/{place.channel_id}"
        if not _SEAL.match(f"{token}.{'A' * MAC_LENGTH}"):
            return None
        where = (place.platform, place.workspace_id, place.channel_id)
        return f"{token}.{self._mac(purpose, *where, user_id, action)}"

    def open(
        self, seal: str, platform: Platform, user_id: str, purpose: Purpose, action: str
    ) -> Place | None:
        """The place `seal` carries, if this bot sealed it for `user_id` to run `action`
        for `purpose`; None for anything else."""
        found = _SEAL.match(seal)
        if found is None:
            return None
        workspace, channel, mac = found.groups()
        expected = self._mac(purpose, platform, workspace, channel, user_id, action)
        if not hmac.compare_digest(mac.encode(), expected.encode()):
            return None
        return Place(platform, workspace, channel)

    def for_dm(self, place: Place, user_id: str) -> SealFor:
        """What seals each button of a DM to `user_id` about the group at `place`."""

        def seal_for(action: str) -> str | None:
            return self.seal(place, user_id, Purpose.DM_BUTTON, action)

        return seal_for

    def _mac(self, purpose: Purpose, platform: Platform, *fields: str) -> str:
        message = "\n".join((purpose.value, platform.value, *fields)).encode()
        digest = hmac.new(self._keys[platform], message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:MAC_LENGTH]
