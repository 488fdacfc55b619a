from sunflower.lib.markdown import render_markdown, sanitise_html


class MarkdownTestCase:
    def test_it_renders_paragraphs_lists_and_emphasis(self) -> None:
        html = render_markdown("一段说明。\n\n- 第一条\n- **第二条**")
        assert "<p>一段说明。</p>" in html
        assert "<li><strong>第二条</strong></li>" in html

    def test_it_escapes_raw_html_in_markdown(self) -> None:
        html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(1)">')
        assert "<script>" not in html and "<img" not in html

    def test_it_drops_javascript_links(self) -> None:
        html = render_markdown("[点我](javascript:alert(1)) [热线](tel:12356)")
        assert 'href="javascript' not in html  # left as plain text, never a link
        assert 'href="tel:12356"' in html

    def test_the_sanitiser_strips_scripts_styles_and_handlers(self) -> None:
        dirty = '<p style="color:red" onclick="x()">好<script>bad()</script></p><iframe></iframe>'
        assert sanitise_html(dirty) == "<p>好</p>"

    def test_links_do_not_leak_the_opener(self) -> None:
        assert 'rel="noopener noreferrer"' in render_markdown("[站点](https://example.org)")
