"""Customer values are data: printed literally, never read as HTML, Markdown or a template."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import markupsafe
import pytest

from contract_helpers import customer_yaml, shared_pages_drawn, pdftotext_pages, squash, strip_footers

COMPANY = "<b>x</b> **y** {{ 7*7 }} 【请填写核验目的】 &amp; 公司"
PURPOSE = "<b>x</b> **y** {{ 7*7 }} 【请填写核验目的】 &amp;"
FIELDS = ["<i>姓名</i>", "`code`", "a|b", "[l](http://e)"]
SOURCE = r"\*esc\* ${x} %s {% if 1 %}"
ADDRESS = "<script>alert(1)</script> 路 _z_ # h"
VALUES = [PURPOSE, "、".join(FIELDS), SOURCE]


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.yml"
    path.write_text(customer_yaml(id="hostile", company=COMPANY, address=ADDRESS,
                                  contract_number="ZSY-2026-0002",
                                  consent={"purpose": PURPOSE, "personal_fields": FIELDS,
                                           "source_name": SOURCE}),
                    encoding="utf-8")
    return path


def _consent(cli, capsys, path, fmt) -> str:
    capsys.readouterr()
    assert cli("consent", str(path), "--type", fmt) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


def test_consent_txt_prints_values_literally(cli, capsys, hostile_file):
    text = _consent(cli, capsys, hostile_file, "txt")
    assert f"为了遵守{PURPOSE}和为您" in text
    for value in VALUES:
        assert value in text
    assert "49" not in text


def test_consent_txt_of_the_example_holds_its_values(cli, capsys):
    from contract_helpers import EXAMPLE

    text = _consent(cli, capsys, EXAMPLE, "txt")
    assert "为了遵守用户实名认证和为您" in text
    assert "姓名、身份证号码、手机号码" in text and "某某数据服务有限公司" in text
    assert "【请填写" not in text
    for fmt in ("md", "html"):
        assert "用户实名认证" in _consent(cli, capsys, EXAMPLE, fmt)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_consent_html_escapes_values(cli, capsys, hostile_file):
    out = _consent(cli, capsys, hostile_file, "html")
    parser = _Tags()
    parser.feed(out)
    assert parser.tags <= {"section", "h3", "p", "span"}, parser.tags  # no <b>, <i>, <a>, <script>
    text = "".join(parser.text)
    for value in VALUES:
        assert value in text                      # reads literally once parsed
        assert str(markupsafe.escape(value)) in out
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "&amp;amp;" in out
    assert "<b>" not in out and "<i>" not in out


_REFERENCE = re.compile(r"&(lt|amp|#124|#126);")


def _markdown_unescape(md: str) -> tuple[str, list[str]]:
    """Backslash escapes and character references resolved, and the specials left unescaped."""
    out, loose, i = [], [], 0
    while i < len(md):
        c = md[i]
        if c == "\\" and i + 1 < len(md) and md[i + 1] in r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""":
            out.append(md[i + 1])
            i += 2
            continue
        reference = _REFERENCE.match(md, i)
        if reference:
            out.append(html.unescape(reference.group(0)))
            i = reference.end()
            continue
        if c in "*_<`[]&|":
            loose.append(c)
        out.append(c)
        i += 1
    return "".join(out), loose


def test_consent_md_escapes_values(cli, capsys, hostile_file):
    out = _consent(cli, capsys, hostile_file, "md")
    assert r"\*\*y\*\*" in out and r"&lt;b\>x&lt;/b\>" in out and r"\{\{ 7\*7 \}\}" in out
    # Python-Markdown (the site's renderer) shows every value literally, as CommonMark does.
    import markdown

    rendered = markdown.markdown(out)
    assert "<b>" not in rendered and "<strong>y" not in rendered
    assert "&lt;b&gt;x&lt;/b&gt;" in rendered and "**y**" in rendered and "{{ 7*7 }}" in rendered
    body = out.split("\n", 1)[1]                    # after the "### title" line
    literal, loose = _markdown_unescape(body)
    assert loose == [], f"unescaped Markdown specials: {loose}"
    for value in VALUES:
        assert value in literal


@pytest.fixture(scope="module")
def hostile_pdf(cli, hostile_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-out")
    assert cli("contract", str(hostile_file), "--out", str(out)) == 0
    return out / "hostile_2021-12-20.pdf"


@pytest.fixture(scope="module")
def hostile_pages(hostile_pdf):
    return pdftotext_pages(hostile_pdf)


def test_hostile_contract_takes_the_fast_path(hostile_pdf, shared_page_count):
    assert len(shared_pages_drawn(hostile_pdf)) == shared_page_count


def test_contract_prints_hostile_values_literally(hostile_pages):
    text = "".join(strip_footers(p) for p in hostile_pages)
    assert squash(f"名称{COMPANY}统一社会信用代码") in text
    assert squash(f"住所{ADDRESS}") in text
    assert squash(f"为了遵守{PURPOSE}和为您") in text
    assert squash(f"收集和使用您的{'、'.join(FIELDS)}等必要") in text
    assert squash(f"委托第三方通过{SOURCE}或者其他符合{PURPOSE}用途") in text
    assert squash(f"甲方：{COMPANY}") in text
    assert "49" not in "".join(re.findall(r"遵守(.{0,40})和为您", text))


def test_hostile_contract_metadata_keeps_values(hostile_file, project):
    from generator.contracts.customers import load_customer
    from generator.contracts.contract import contract_html

    customer = load_customer(hostile_file, project)
    page = contract_html(project.root, project.config, customer.version, customer)
    assert "<b>x</b>" not in page and "<script>" not in page and "<i>姓名" not in page
    assert html.escape(COMPANY, quote=False) in page
