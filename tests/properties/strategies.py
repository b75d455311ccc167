"""What a citizen (or a robot) may type: any Unicode, control characters and NUL included, huge sizes."""

from hypothesis import strategies as st

# Every character a browser can send: all of Unicode but lone surrogates (which no encoding carries).
ANY_CHAR = st.characters(exclude_categories=("Cs",))
ANY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.text(st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x7f\u200b\u202e\ufeff\r\n\t<>\"'&{}%"), max_size=50),
    # Far beyond every field's limit, up to about 1 MB.
    st.builds(lambda chunk, n: chunk * n, st.text(ANY_CHAR, min_size=1, max_size=8), st.integers(1, 120_000)),
)
# What a valid text field holds: printable, something left once stripped, no NUL.
VALID_CHAR = st.characters(exclude_categories=("Cs", "Cc", "Cn", "Co"))


def valid_text(max_size):
    return st.text(VALID_CHAR, min_size=1, max_size=max_size).filter(lambda text: text.strip())


EMAIL = st.builds(
    lambda local: f"{local}@example.org", st.from_regex(r"[a-z0-9]{1,8}([._-][a-z0-9]{1,8}){0,2}", fullmatch=True)
)
