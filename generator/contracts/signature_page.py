"""The words of the 签署页, shared by the PDF and the Word copy so the two never disagree."""

# What each party fills in by hand beside its signature box, in the order a Chinese contract
# lists them: the seal, the representative's signature, the date.
SIGNATURE_LABELS = ("（盖章）", "法定代表人或授权代表（签字）：", "签署日期：")


def signature_note(title: str) -> str:
    """The line that says the page carries no terms, so nothing can be added to it later."""
    return f"（本页无正文，为《{title}》之签署页）"
