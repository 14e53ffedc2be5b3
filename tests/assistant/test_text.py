from assistant.text import acronyms, content_terms, detect_language, normalize, tokenize
from assistant.lexical import BM25Index
from assistant.glossary import expand_query, translate_terms


def test_detect_language():
    assert detect_language("研究组的任务是什么？") == "zh"
    assert detect_language("What is TSAG instructed to do?") == "en"
    assert detect_language("TSAG 需要做什么") == "zh"


def test_normalize_strips_invisible_and_control_characters():
    assert normalize("\u202eRG-DT\u200b\x07  成立") == "rg-dt 成立"


def test_tokenize_segments_chinese_never_on_whitespace():
    terms = tokenize("责成国际电联电信标准化部门研究组")
    assert "研究组" in terms or "研究" in terms
    assert "责成国际电联电信标准化部门研究组" not in terms
    assert "究组" in terms  # character bigrams back up the segmenter


def test_content_terms_drop_stopwords():
    assert content_terms("What is the role of the study groups?") == ["role", "study", "groups"]


def test_bm25_ranks_the_matching_chinese_text_first():
    bm25 = BM25Index(["鼓励成员参与活动", "责成研究组制定建议书", "注意到报告人组成立"])
    assert bm25.top("研究组", 3)[0][0] == 1
    assert bm25.top("no such words", 3) == []


def test_glossary_bridges_english_questions_to_chinese_terms():
    assert "电信标准化顾问组" in translate_terms("What is TSAG asked to do?")
    assert "研究组" in expand_query("tasks of the study groups")
    assert "developing countries" in translate_terms("发展中国家")


def test_acronyms_are_capitals_as_written_with_hyphens_and_plurals():
    assert acronyms("Do SDOs, the TSB and RG-DT work with ITU-T? Not AI-driven Mr Smith.") == [
        "SDOs", "TSB", "RG-DT", "ITU-T"
    ]
    assert acronyms("I ask: what does a US firm do?") == ["US"]
    assert acronyms("全是中文，没有缩写") == []


def test_a_document_named_by_its_title_is_named_as_this_resolution():
    from assistant.text import without_title

    zh, en = "加强可持续数字化转型方面的标准化活动", "Enhancing standardization activities for sustainable digital transformation"
    # Most of the title, in another order or with words left out, names the document.
    assert without_title("关于加强可持续数字化转型标准化活动的那个决议是第几号？", [zh, en], language="zh") == "关于这项决议那个决议是第几号?"
    assert "this resolution" in without_title("Which number is the resolution on enhancing sustainable digital transformation standardization?", [zh, en], language="en")
    # A short form of the title (two thirds of it) names the document beside a word for one.
    assert "this resolution" in without_title("the number of the WTSA resolution on sustainable digital transformation standardization?", [zh, en], language="en")
    assert "这项决议" in without_title("关于可持续数字化转型标准化的这份决议是第几号决议", [zh, en], language="zh")
    # A topic that shares only some of the title's words is a topic, and the question is left alone.
    for question in ("What does it say about sustainable digital transformation?", "可持续数字化转型有什么意义？", "What is TSAG to do?",
                     "Who is to help developing countries build standardization capacity for sustainable digital transformation?"):
        assert without_title(question, [zh, en], language=detect_language(question)) == question
