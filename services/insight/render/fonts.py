"""The CJK font (中文字体) of charts and documents: one TrueType font found on the machine through
fontconfig, used by matplotlib and reportlab alike, so that Chinese never prints as tofu boxes."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEBIAN_PACKAGE = "fonts-wqy-microhei"
# Preferred first: small (5 MB), TrueType outlines (reportlab embeds only TrueType, not the CFF outlines
# of Noto CJK), and already the console's browser font.
PREFERRED_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback")
# Where Debian puts them, for machines without fontconfig's tools.
KNOWN_FILES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"),
)


class CjkFontMissing(RuntimeError):
    """No TrueType font covering simplified Chinese is installed."""


@dataclass(frozen=True)
class CjkFont:
    """A face of a font file: `index` selects it in a collection (.ttc)."""

    path: Path
    index: int
    family: str


def _rank(font: CjkFont) -> tuple[int, bool, str, int]:
    preferred = PREFERRED_FAMILIES.index(font.family) if font.family in PREFERRED_FAMILIES else len(PREFERRED_FAMILIES)
    return preferred, "Mono" in font.family, str(font.path), font.index


def _listed_by_fontconfig(fc_list: str) -> list[CjkFont]:
    out = subprocess.run(
        [fc_list, "--format", "%{file}\t%{index}\t%{family[0]}\t%{fontformat}\n", ":lang=zh-cn"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    fonts = []
    for line in out.splitlines():
        match line.split("\t"):
            case [file, index, family, "TrueType"] if Path(file).suffix.lower() in {".ttf", ".ttc"}:
                fonts.append(CjkFont(Path(file), int(index or 0), family))
    return fonts


@functools.cache
def find_cjk_font() -> CjkFont:
    """The best installed TrueType font covering zh-CN (fontconfig's list, else Debian's known paths);
    `CjkFontMissing` names the package to install when there is none."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        fonts = _listed_by_fontconfig(fc_list)
    else:
        fonts = [CjkFont(Path(p), i, f) for p, i, f in KNOWN_FILES if Path(p).is_file()]
    if not fonts:
        raise CjkFontMissing(
            f"no TrueType font for Chinese is installed: install Debian's {DEBIAN_PACKAGE} "
            f"(apt-get install {DEBIAN_PACKAGE}); charts and PDF documents need it"
        )
    return min(fonts, key=_rank)
