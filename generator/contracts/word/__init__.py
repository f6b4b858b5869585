"""Word (.docx) files for negotiation: a version's text, a customer's contract, a redline.

document.py sets python-docx up (A4, styles, Chinese fonts, footer); runs.py turns
the shared model's runs into Word runs; body.py writes a version's paragraphs;
contract.py adds a customer's cover and signature blocks; redline.py writes
tracked changes; package.py makes the .docx reproducible.
"""
