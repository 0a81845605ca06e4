"""Status icons draw with the page's own files, never with an emoji a machine may have no font for."""

import re
from pathlib import Path

import pytest
from django.conf import settings

# Characters every supported system font (Arial, DejaVu Sans) draws; anything else in a CSS `content`
# must be an SVG icon instead.
DRAWN_BY_TEXT_FONTS = set("✓✕⚠ ")


def test_no_stylesheet_puts_an_emoji_into_the_page():
    for css in (Path(settings.BASE_DIR) / "static" / "css").glob("*.css"):
        for text in re.findall(r'content:\s*"([^"]*)"', css.read_text()):
            odd = {char for char in text if not char.isascii() and char not in DRAWN_BY_TEXT_FONTS}
            assert not odd, f"{css.name}: content {text!r} needs a font that may be missing: {odd}"


@pytest.mark.django_db(transaction=True)
def test_the_expired_status_shows_an_svg_clock(browser_page, site):
    page = browser_page()
    page.goto(f"{site.base_url}/")
    page.evaluate("""() => { const s = document.createElement('span'); s.className = 'status status--expired';
                     s.id = 'probe'; s.textContent = 'Vanhentunut'; document.querySelector('main').append(s); }""")
    before = page.evaluate("""() => { const st = getComputedStyle(document.getElementById('probe'), '::before');
                              return {content: st.content, mask: st.maskImage || st.webkitMaskImage,
                                      width: parseFloat(st.width)}; }""")
    assert before["content"] == '""' and "expired" in before["mask"] and before["width"] > 8, before
    icon = re.search(r'url\("?([^")]+)"?\)', before["mask"]).group(1)
    response = page.request.get(icon)
    assert response.ok and "svg" in response.headers["content-type"]
