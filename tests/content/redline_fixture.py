"""The seven-edit fixture (tests/fixtures/redline/): what its redline must show, and nothing else.

Version 2022-06-01 is the real 2021-12-20 text with seven edits of words, one
clause inserted at the top of 服务范围 (which renumbers the two after it), and
one clause made bold without changing a word. Every output that shows the
changes (`agreements diff`, the site's 变更记录, the Word redline) must show
exactly these, plus at most one line for the renumbering.
"""

from __future__ import annotations

from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "redline"
OLD, NEW = "2021-12-20", "2022-06-01"

# clause id → (deleted words, inserted words)
EDITS = {
    "scope.suspension": ("随时", ""),
    "service.api": ("", "的"),
    "payment.prepaid": ("一年", "两年"),
    "obligations.personal-info.evidence": ("系统操作日志", "系统日志"),
    "provider.technical-support": ("文件", "文档"),
    "final.effectiveness": ("点击并", ""),
    "@updated": ("2021", "2022"),  # 本协议更新日期 (its first changed word)
}
INSERTED = ("scope.definitions", "本协议所称“用户”，是指申请开通并使用本服务的法人或者其他组织。")
MADE_BOLD = ("service.types.top-up", "充值缴费类接口的使用规则以《充值缴费服务条款》的约定为准。")
RENUMBERED = (("「服务范围」第1条", "「服务范围」第2条"), ("「服务范围」第2条", "「服务范围」第3条"))

# tests/fixtures/redline-moved/: version 2022-09-01 is the fixture's 2021-12-20 with one clause
# moved, 「服务开通、付款与扣费」第4条 (payment.refund, bold) now first in its section, nothing else.
MOVED_FIXTURE = FIXTURE.parent / "redline-moved"
MOVED_OLD, MOVED_NEW = "2021-12-20", "2022-09-01"
MOVED = ("payment.refund", "用户购买产品服务后不得随意申请退款；确有正当理由并经静觅科技同意退款的，应配合静觅科技提供相应退款材料，"
         "否则静觅科技有权拒绝办理退款。")
