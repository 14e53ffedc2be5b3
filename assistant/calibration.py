"""Every tuned number of answer selection, in one place.

Set on the dev eval set (evals/dev.jsonl) with `resolution-assistant eval`; a change
here is a change of measured behaviour: re-run the eval and update the README table.
"""

# Abstain when the best clause is this weak on both signals (cosine, BM25).
MIN_SIMILARITY = 0.80
MIN_LEXICAL = 4.0
# Question words found neither in the corpus nor in the glossary suggest a topic the
# text does not cover; this many of them, with no confident dense match, abstain.
MAX_UNKNOWN_TERMS = 1
CONFIDENT_SIMILARITY = 0.88

# Adaptive cut-off: further clauses are cited only when nearly as good as the best.
SCORE_RATIO = 0.85
SIMILARITY_MARGIN = 0.01
MAX_CITATIONS = 6

# A question about an actor or section with at most this many other content words
# asks for everything addressed to it ("What is TSAG instructed to do?").
GENERIC_MAX_TERMS = 0

QUOTE_MAX_CHARS = 200
RELATED_SHOWN = 3

# (what the question asks for, evidence a cited clause must contain to answer it)
FACT_TYPES = (
    (r"how much|budget|cost|funding|fund(?:s|ed)?\b|预算|经费|资金|费用|多少钱", r"[0-9]+\s*(?:万|亿|美元|瑞郎|法郎|chf|usd|\$)|预算|经费|资金"),
    (r"deadline|due date|by when|截止|期限|最后期限", r"截止|期限|前完成|[0-9]{4}年[0-9]+月[0-9]+日|deadline"),
    (r"how many|多少个|几个国家|数量", r"[0-9０-９]+|[一二三四五六七八九十]+个"),
    (r"\bwho (?:chairs|leads|heads)|chairman|chairperson|主席|负责人是谁|谁担任", r"主席|担任|chair"),
    (r"penalt|sanction|punish|fine[sd]?\b|处罚|惩罚|制裁", r"处罚|惩罚|制裁"),
)
