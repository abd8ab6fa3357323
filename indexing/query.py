"""The analysts' boolean query language, parsed into ``indexing.query_tree`` for the stores to compile.

``AND``, ``OR``, ``NOT`` (upper-case only), parentheses, ``"phrases"``, ``prefix*``,
``NEAR/n``, ``field:value``, ``published:[day TO day]``, a leading ``-`` for NOT, and
words side by side meaning AND. ``docs/search-language.md`` is the analysts' reference.

The parser refuses what would be read in a way the analyst may not mean, rather than
guessing: lower-case operators, AND and OR at one level without parentheses (the
mistakes Media Cloud's users keep making), and a query that only excludes.
"""

from __future__ import annotations

import unicodedata

from core.errors import QueryError
from core.search import FACET_FIELDS, SearchQuery, Sort
from indexing.query_syntax import Kind, Lexeme, lex, syntax_error
from indexing.query_tree import And, Near, Node, Not, Or, Term, has_positive_leaf, positive_text

_STARTS_OPERAND = frozenset({Kind.TERM, Kind.FIELD, Kind.OPEN, Kind.NOT})
#: Deepest nesting of parentheses and NOTs: far beyond any real query, well within Python's stack.
MAX_NESTING = 50


def parse(text: str) -> Node | None:
    """Parse the analyst's text into a tree; ``None`` when it has no words (every item matches).

    Raises:
        QueryError: the text is invalid or ambiguous; ``position`` is the character
            offset of the problem and the message says how to fix it.
    """
    lexemes = lex(unicodedata.normalize("NFC", text))
    if not lexemes:
        return None
    return _Parser(lexemes).query()


class _Parser:
    """Recursive descent: ``query := level``; ``level := unary (connector unary)*``;
    ``unary := NOT unary | operand [NEAR/n operand]``; ``operand := ( level ) | term | field``.
    """

    def __init__(self, lexemes: list[Lexeme]) -> None:
        self._lexemes = lexemes
        self._next = 0
        self._first_not: Lexeme | None = None
        self._depth = 0

    def query(self) -> Node:
        node = self._level()
        extra = self._peek()
        if extra is not None:  # only a ")" stops a level early
            raise _unmatched(extra)
        if not has_positive_leaf(node):
            assert self._first_not is not None  # a tree without a positive leaf has a NOT
            raise syntax_error(
                self._first_not.position,
                "the query only excludes",
                "add something to search for, as in du lịch NOT bão, or narrow by a field, as in "
                "stance:negative NOT bão",
                "cần ít nhất một từ khóa không bị loại trừ",
            )
        return node

    def _level(self) -> Node:
        """Operands joined by one kind of connector: OR, or AND (written or implied)."""
        operands = [self._unary()]
        kinds: set[str] = set()  # "AND", "OR", and "" for AND implied by words side by side
        while (lexeme := self._peek()) is not None and lexeme.kind is not Kind.CLOSE:
            if lexeme.kind in (Kind.AND, Kind.OR):
                self._advance()
                self._expect_operand(lexeme, f"{lexeme.text} needs something to search on both sides")
                kinds.add(lexeme.kind.value)
            else:
                self._reject_lower_case_operator(lexeme)
                kinds.add("")
            if "OR" in kinds and len(kinds) > 1:
                raise _ambiguous(lexeme, kinds)
            operands.append(self._unary())
        if len(operands) == 1:
            return operands[0]
        join = Or if kinds == {"OR"} else And
        flat: list[Node] = []
        for operand in operands:
            flat.extend(operand.children if isinstance(operand, join) else (operand,))
        return join(tuple(flat))

    def _unary(self) -> Node:
        # Every "(" and every NOT recurses through here: bound it, so that a hostile query
        # ("NOT NOT NOT ..." or "((((...") is refused with a position, not a RecursionError.
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                lexeme = self._peek()
                raise syntax_error(
                    lexeme.position if lexeme else 0,
                    f"the query nests more than {MAX_NESTING} levels of parentheses or NOT",
                    "remove the extra parentheses or NOTs",
                    "truy vấn lồng quá sâu",
                )
            return self._unary_level()
        finally:
            self._depth -= 1

    def _unary_level(self) -> Node:
        lexeme = self._peek()
        if lexeme is not None and lexeme.kind is Kind.NOT:
            self._advance()
            self._first_not = self._first_not or lexeme
            self._expect_operand(lexeme, f"{lexeme.text} needs something after it to exclude")
            return Not(self._unary())
        if lexeme is not None and lexeme.operator_like == "NOT" and self._operand_follows(1):
            raise _lower_case(lexeme)
        return self._proximity()

    def _proximity(self) -> Node:
        left = self._operand()
        near = self._peek()
        if near is None or near.kind is not Kind.NEAR:
            return left
        self._advance()
        following = self._peek()
        right = self._operand() if following is not None and following.kind in (Kind.TERM, Kind.OPEN) else None
        if not isinstance(left, Term) or not isinstance(right, Term):
            raise _near_sides(near)
        after = self._peek()
        if after is not None and after.kind is Kind.NEAR:
            raise syntax_error(
                after.position,
                f"{after.text} follows another NEAR",
                "NEAR joins exactly two terms; combine pairs with AND, as in (lũ NEAR/5 mưa) AND (mưa NEAR/5 bão)",
                "NEAR chỉ nối hai từ",
            )
        return Near(left, right, near.distance)

    def _operand(self) -> Node:
        lexeme = self._advance()
        if lexeme.kind is Kind.OPEN:
            closing = self._peek()
            if closing is None:
                raise _unclosed(lexeme)
            if closing.kind is Kind.CLOSE:
                raise syntax_error(
                    lexeme.position, "empty parentheses", "put terms inside or remove them", "ngoặc rỗng"
                )
            node = self._level()
            if self._peek() is None:
                raise _unclosed(lexeme)
            self._advance()
            return node
        if lexeme.leaf is not None:
            return lexeme.leaf
        if lexeme.kind is Kind.NEAR:
            raise _near_sides(lexeme)
        if lexeme.kind is Kind.CLOSE:
            raise _unmatched(lexeme)
        raise syntax_error(
            lexeme.position,
            f"{lexeme.text} needs something to search before it",
            "put a term there or remove it",
            "thiếu từ khóa",
        )

    def _reject_lower_case_operator(self, lexeme: Lexeme) -> None:
        """An ``and``/``or`` between two operands was meant as an operator: say so."""
        if lexeme.operator_like in ("AND", "OR") and self._operand_follows(1):
            raise _lower_case(lexeme)

    def _expect_operand(self, after: Lexeme, problem: str) -> None:
        if not self._operand_follows(0):
            raise syntax_error(after.position, problem, "put a term there or remove it", "thiếu từ khóa")

    def _operand_follows(self, ahead: int) -> bool:
        lexeme = self._peek(ahead)
        return lexeme is not None and lexeme.kind in _STARTS_OPERAND

    def _peek(self, ahead: int = 0) -> Lexeme | None:
        at = self._next + ahead
        return self._lexemes[at] if at < len(self._lexemes) else None

    def _advance(self) -> Lexeme:
        lexeme = self._lexemes[self._next]
        self._next += 1
        return lexeme


def _ambiguous(lexeme: Lexeme, kinds: set[str]) -> QueryError:
    if "AND" in kinds:
        return syntax_error(
            lexeme.position,
            "AND and OR at the same level are ambiguous",
            "add parentheses, as in (lũ AND mưa) OR bão, or lũ AND (mưa OR bão)",
            "thêm dấu ngoặc",
        )
    return syntax_error(
        lexeme.position,
        "OR next to words without an operator is ambiguous",
        'quote names, as in "đà nẵng" OR "hội an", or add parentheses, as in (lũ lụt) OR bão',
        "đặt tên riêng trong ngoặc kép hoặc thêm dấu ngoặc",
    )


def _lower_case(lexeme: Lexeme) -> QueryError:
    word = lexeme.operator_like
    return syntax_error(
        lexeme.position,
        f'"{lexeme.text}"',
        f'did you mean {word}? Operators are upper-case; to search the word "{lexeme.text}", quote it',
        "toán tử phải viết hoa",
    )


def _near_sides(near: Lexeme) -> QueryError:
    return syntax_error(
        near.position,
        f"{near.text} needs a word or phrase on each side",
        'as in lũ NEAR/5 "Quảng Nam"; parentheses and fields cannot be NEAR',
        "NEAR nối hai từ hoặc cụm từ",
    )


def _unmatched(closing: Lexeme) -> QueryError:
    return syntax_error(
        closing.position, 'this ")" has no matching "("', 'remove it or add a "(" before it', "thừa dấu )"
    )


def _unclosed(opening: Lexeme) -> QueryError:
    return syntax_error(opening.position, 'unclosed "("', 'add a ")" to close it', "thiếu dấu )")


def check(query: SearchQuery) -> None:
    """Reject what no store can run.

    Raises:
        QueryError: an unknown filter field or a negative page size or offset.
    """
    unknown = sorted(set(query.filters) - set(FACET_FIELDS))
    if unknown:
        raise QueryError(f"cannot filter on {', '.join(unknown)}; filter on one of {', '.join(FACET_FIELDS)}")
    if query.limit < 0 or query.offset < 0:
        raise QueryError(f"limit and offset must not be negative (got limit={query.limit}, offset={query.offset})")


def effective_sort(query: SearchQuery, tree: Node | None) -> Sort:
    """Return the order to use: without words to rank by, relevance means newest first."""
    if query.sort is Sort.RELEVANCE and not positive_text(tree):
        return Sort.NEWEST
    return query.sort


def active_filters(query: SearchQuery) -> list[tuple[str, tuple[str, ...]]]:
    """Return the filters that constrain, by field name: a field with no accepted values is ignored."""
    return [(name, values) for name, values in sorted(query.filters.items()) if values]
