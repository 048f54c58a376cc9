"""The preparer block at the foot of the column: office, logo, place and date, and every line of the signatory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from sppr_gis.maps.cartography.common import _INK, _PREP_MAX, MIN_PT, SIGN_SPACE_MM, _pt  # noqa: E402
from sppr_gis.maps.cartography.textfit import _height, _wrapped  # noqa: E402


def signature_parts(signatory: str) -> tuple[list[str], list[str]]:
    """The signatory's lines above and below the space for the wet signature.

    The first blank line marks the space (``Kepala ...`` / blank / name / NIP); without
    one the space goes after the first line (the title). Every non-blank line is kept.

    >>> signature_parts("Kepala Bappeda\\n\\nNama, S.T.\\nNIP 1970")
    (['Kepala Bappeda'], ['Nama, S.T.', 'NIP 1970'])
    """
    lines = [ln.rstrip() for ln in str(signatory).strip("\n").split("\n")]
    lines = [ln for i, ln in enumerate(lines) if ln.strip() or (0 < i < len(lines) - 1)]
    blank = next((i for i, ln in enumerate(lines) if not ln.strip()), None)
    if blank is None:
        return (lines[:1], lines[1:]) if len(lines) >= 2 else ([], lines)
    return [ln for ln in lines[:blank] if ln.strip()], [ln for ln in lines[blank:] if ln.strip()]


@dataclass
class PreparerBlock:
    """The preparer block as laid out: its extent (figure fraction) and its artists.

    Attributes
    ----------
    top, bottom : float
        Extent of the block.
    texts : list of Text
        Its texts (office, place and date, signatory lines).
    sign_space : tuple of float
        Bottom and top (figure fraction) of the blank space left for the signature.
    """

    top: float
    bottom: float
    texts: list[Any]
    sign_space: tuple[float, float] = (0.0, 0.0)


def preparer_artists(
    fig: Figure, left: float, right: float, bottom: float, *, office: str | None, signatory: str | None, place_date: str | None = None,
    logo: Any = None, fontsize: float = MIN_PT, sign_left: float | None = None, max_height: float = _PREP_MAX,
) -> PreparerBlock:
    """Lay out the publishing office (with its logo), the place-and-date line and every line of the signatory,
    bottom up from ``bottom``, wrapped to ``right - left`` (figure fraction), with :data:`SIGN_SPACE_MM` left
    blank for the wet signature and stamp.

    Parameters
    ----------
    fig : Figure
        The page.
    left, right, bottom : float
        Horizontal extent and bottom of the block (figure fraction).
    office, signatory, place_date : str, optional
        ``[album] instansi``, ``penandatangan`` and the ``tempat, tanggal`` line.
    logo : path, optional
        The office's logo, drawn beside the office name.
    fontsize : float
        Text size in points (at least :data:`MIN_PT`).
    sign_left : float, optional
        Left edge of the signature part (default ``left``).
    max_height : float
        Largest height (figure fraction) the block may take.

    Returns
    -------
    PreparerBlock

    Raises
    ------
    sppr_gis.errors.ConfigError
        The block needs more than ``max_height`` even at 7 pt; the message names ``album.penandatangan``
        (or ``album.instansi``).

    Notes
    -----
    Steps, bottom up: the signatory's lines below the signature and the space to sign, the place-and-date
    line with the lines above the signature, the office with its logo; then the height is checked.
    """
    size = _pt(fontsize)
    fh = fig.get_figheight()
    col = _Column(fig, size, fh, size * 1.2 / 72 / fh, bottom)
    sl = left if sign_left is None else sign_left
    width = right - sl
    above, below = signature_parts(signatory) if signatory else ([], [])
    sign_space = _signatory(col, below, sl, width)
    _place_date(col, place_date, above, sl, width)
    if office or not col.texts:
        _office(col, office, logo, left, right)
    _check_height(col, bottom, max_height, signatory)
    return PreparerBlock(top=col.y, bottom=bottom, texts=col.texts, sign_space=sign_space)


@dataclass
class _Column:
    """The preparer block as it is laid out bottom up: the page, the text size (pt), the page height (in),
    a line's height (figure fraction), the top ``y`` reached so far and the texts placed."""

    fig: Figure
    size: float
    fh: float
    line: float
    y: float
    texts: list[Any] = field(default_factory=list)


def _signatory(col: _Column, below: list[str], sl: float, width: float) -> tuple[float, float]:
    """The signatory's lines below the signature (name, NIP; the name bold), then the blank space to sign;
    returns that space (bottom, top)."""
    fig, size, fh, line, texts, y = col.fig, col.size, col.fh, col.line, col.texts, col.y
    sign_space = (0.0, 0.0)
    if below:
        for i, ln in enumerate(reversed(below)):
            t = _wrapped(fig, sl, y, ln, width, fontsize=size, va="bottom", color=_INK, linespacing=1.2, gid="signatory",
                         fontweight="bold" if i == len(below) - 1 and len(below) >= 2 else "normal")
            texts.append(t)
            y += _height(fig, t) + 0.25 * line
        gap = SIGN_SPACE_MM / 25.4 / fh
        sign_space = (y, y + gap)
        y += gap
    col.y = y
    return sign_space


def _place_date(col: _Column, place_date: str | None, above: list[str], sl: float, width: float) -> None:
    """The place-and-date line and the signatory's lines above the signature (the title)."""
    fig, size, line, texts, y = col.fig, col.size, col.line, col.texts, col.y
    head = [ln for ln in ([place_date] if place_date else []) + above if ln]
    if head:
        t = _wrapped(fig, sl, y, "\n".join(head), width, fontsize=size, va="bottom", color=_INK, linespacing=1.2, gid="signatory")
        texts.append(t)
        y += _height(fig, t) + 0.6 * line
    col.y = y


def _office(col: _Column, office: str | None, logo: Any, left: float, right: float) -> None:
    """``Disusun oleh:`` and the office (or ``Disusun dengan sppr_gis.``), with the logo beside it when it can be read."""
    fig, size, fh, texts, y = col.fig, col.size, col.fh, col.texts, col.y
    body = ("Disusun oleh:\n" + office) if office else "Disusun dengan sppr_gis."
    text_left = left
    logo_w = 0.0
    img = None
    if logo is not None:
        try:
            import matplotlib.image as mpimg

            img = mpimg.imread(str(logo))
        except Exception:  # pragma: no cover - an unreadable logo must not stop the album
            img = None
    if img is not None:
        logo_h = 14.0 / 25.4 / fh
        logo_w = logo_h * fh / fig.get_figwidth() * (img.shape[1] / img.shape[0])
        text_left = left + logo_w + 0.008
    t = _wrapped(fig, text_left, y, body, right - text_left, fontsize=size, va="bottom", color=_INK, linespacing=1.2, gid="preparer")
    texts.append(t)
    h = _height(fig, t)
    if img is not None:
        lh = max(h, 14.0 / 25.4 / fh)
        lw = lh * fh / fig.get_figwidth() * (img.shape[1] / img.shape[0])
        lax = fig.add_axes((left, y, lw, lh))
        lax.imshow(img, interpolation="lanczos")
        lax.set_axis_off()
        lax.set_gid("logo")
        h = max(h, lh)
    y += h
    col.y = y


def _check_height(col: _Column, bottom: float, max_height: float, signatory: str | None) -> None:
    """Refuse a block taller than ``max_height``, naming the ``[album]`` key to shorten."""
    from sppr_gis.errors import ConfigError

    fh, y = col.fh, col.y
    if y - bottom > max_height:
        key = "album.penandatangan" if signatory else "album.instansi"
        mm = (y - bottom) * fh * 25.4
        raise ConfigError(
            f"{key}: the signature block needs {mm:.0f} mm of the page's {fh * 25.4:.0f} mm (with {SIGN_SPACE_MM:.0f} mm to sign) "
            "and cannot fit beside the map; shorten its lines"
        )
