"""Read a tagged PDF as a screen reader does: its structure tree, each element with its text.

pikepdf walks the structure tree (/StructTreeRoot: roles, /Alt, attributes, marked-content ids);
pypdf decodes the text of each page and tells which marked-content id (MCID) each piece of text
is drawn in. Joining the two gives every element's text in reading order (the order of the
tree), which is what assistive technology reads, independent of where the text sits on the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pypdf import PdfReader


@dataclass
class Node:
    role: str
    alt: str | None = None
    attributes: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # this element's own text pieces (MCIDs)
    children: list[Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All text of the element and its descendants, one space between pieces."""
        parts = [*self.lines] if not self.children else []
        if self.children:
            parts = self.lines + [c.text for c in self.children if c.text]
        return " ".join(p for p in parts if p)

    def all_lines(self) -> list[str]:
        """The element's text pieces in order, each one line as laid out on the page."""
        out = list(self.lines)
        for child in self.children:
            out += child.all_lines()
        return out

    def find(self, role: str) -> list[Node]:
        found = [self] if self.role == role else []
        for child in self.children:
            found += child.find(role)
        return found


def _marked_texts(pdf: bytes) -> list[dict[int, list[str]]]:
    """Per page: MCID → the text pieces drawn inside that marked content."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        stack: list[int | None] = []
        texts: dict[int, list[str]] = {}

        def before(op, args, cm, tm, stack=stack):
            if op == b"BDC":
                props = args[1]
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def visit(text, cm, tm, font, size, stack=stack, texts=texts):
            mcid = stack[-1] if stack else None
            if mcid is not None and text.strip():
                texts.setdefault(int(mcid), []).append(text.replace("\u00a0", " ").strip())

        page.extract_text(visitor_operand_before=before, visitor_text=visit)
        pages.append(texts)
    return pages


def structure(pdf: bytes) -> Node:
    """The document's structure tree with the text of every element."""
    return _structure(pdf, set())


def untagged_marked_text(pdf: bytes) -> list[str]:
    """Text drawn in marked content that no element of the structure tree claims (neither
    tagged nor an artifact: what PDF/UA forbids)."""
    used: set[tuple[int, int]] = set()
    _structure(pdf, used)
    return [
        text
        for page, texts in enumerate(_marked_texts(pdf))
        for mcid, pieces in texts.items()
        if (page, mcid) not in used
        for text in pieces
    ]


def _structure(pdf: bytes, used: set[tuple[int, int]]) -> Node:
    texts = _marked_texts(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page_index = {page.obj.objgen: i for i, page in enumerate(doc.pages)}

        def build(element, page: int | None) -> Node:
            if "/Pg" in element:
                page = page_index.get(element.Pg.objgen, page)
            attributes = {}
            if isinstance(element.get("/A"), pikepdf.Dictionary):
                attributes = {str(k).lstrip("/"): str(v).lstrip("/") for k, v in element.A.items()}
            node = Node(
                role=str(element.get("/S", "")).lstrip("/"),
                alt=str(element.Alt) if "/Alt" in element else None,
                attributes=attributes,
            )
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            for kid in kids:
                if isinstance(kid, int):
                    node.lines += texts[page].get(kid, []) if page is not None else []
                    used.add((page, int(kid)))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    node.children.append(build(kid, page))
                elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                    node.lines += texts[page].get(int(kid.MCID), [])
                    used.add((page, int(kid.MCID)))
            return node

        root = doc.Root.StructTreeRoot
        top = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        return build(top, None)


def table_rows(table: Node) -> list[list[str]]:
    """A Table element's rows, each as the texts of its TH/TD cells."""
    return [[cell.text for cell in row.children] for row in table.find("TR")]


def catalog(pdf: bytes) -> dict:
    """What the document catalog and info say about language, title, tagging and conformance."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        meta = doc.open_metadata()
        return {
            "lang": str(root.get("/Lang", "")),
            "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
            "display_doc_title": bool(
                root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)
            ),
            "title": str(doc.docinfo.get("/Title", "")),
            "pdfua_part": meta.get("pdfuaid:part"),
            "has_structure": "/StructTreeRoot" in root,
        }


__all__ = ["Node", "catalog", "structure", "table_rows", "untagged_marked_text"]
