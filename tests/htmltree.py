"""A strict little HTML tree for tests: what a reader's browser would see, as data.

`parse()` refuses markup whose end tags do not match their start tags, so a test that
parses a page also proves the page is well nested. Text is unescaped exactly as a
browser does it, so `text()` is what `element.textContent` would give.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class MalformedHTML(AssertionError):
    pass


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node or str

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and all(attrs_match(node.attrs.get(name.rstrip("_")), value) for name, value in attrs.items())
        ]

    def by_id(self, element_id):
        found = [node for node in self.iter() if node.attrs.get("id") == element_id]
        if len(found) > 1:
            raise MalformedHTML(f"id {element_id!r} is used {len(found)} times")
        return found[0] if found else None

    def has_class(self, name) -> bool:
        return name in (self.attrs.get("class") or "").split()


def attrs_match(actual, expected) -> bool:
    if expected is True:
        return actual is not None
    return actual == expected


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            open_tags = [node.tag for node in self.stack[1:]]
            raise MalformedHTML(f"</{tag}> closes <{self.stack[-1].tag}> (open: {open_tags})")
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    if len(builder.stack) != 1:
        raise MalformedHTML(f"unclosed elements: {[node.tag for node in builder.stack[1:]]}")
    return builder.root
