"""One rule for an officer's name (姓名), whichever door it comes through (the roll import, the API, the
pages, the admin): NFKC, trimmed, inner runs of spaces as one; refused when it holds a control or format
character (Unicode Cc and Cf: zero-width spaces, bidi overrides such as U+202E), an unassigned code point
or a surrogate, or a symbol (So: emoji). Rare characters stay legitimate: CJK Extension B and beyond
(U+20000…), ideographic variation selectors, the private-use area some older rare-character fonts use."""

import re
import unicodedata

from django.utils.translation import gettext

REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Cn", "So"}
_SPACES = re.compile(r"\s+")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•\s]+$")


class InvalidName(ValueError):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def normalise(text: str) -> str:
    """What is stored: NFKC, trimmed; a Chinese name loses the spaces typed to align it (王  伟 → 王伟),
    any other keeps one space between words (the refusals are `check`'s)."""
    text = unicodedata.normalize("NFKC", text).strip()
    return _SPACES.sub("", text) if _CJK_NAME.match(text) else _SPACES.sub(" ", text)


def check(text: str) -> str:
    """The stored form of `text`, or InvalidName naming the first character refused."""
    for ch in text:
        if unicodedata.category(ch) in REFUSED_CATEGORIES and not ch.isspace():
            code = f"U+{ord(ch):04X}"
            if unicodedata.category(ch) == "So":
                raise InvalidName("bad_name", gettext("姓名含符号或表情（{code}）").format(code=code))
            raise InvalidName("bad_name", gettext("姓名含不可见或控制字符（{code}）").format(code=code))
    return normalise(text)
