"""Abbreviations against words: the initials of consecutive words, a compound word giving two."""

from assistant.abbreviations import letters_of, phrases, spelled_within, spells


def test_letters_drop_a_plural_s_and_hyphens_but_not_a_capital_s():
    assert [letters_of(a) for a in ("LDCs", "SIDS", "RG-DT", "ITU-R")] == ["ldc", "sids", "rgdt", "itur"]


def test_words_spell_their_initials_leaving_out_small_words():
    footnote = "These include the least developed countries, small island developing states, landlocked developing countries"
    assert spelled_within("LDCs", footnote) and spelled_within("SIDS", footnote)
    assert spelled_within("LLDC", footnote)  # "landlocked" is "land" + "locked": two initials
    assert not spelled_within("AAP", footnote) and not spelled_within("GSR", footnote)
    assert phrases(["the Bureau of Standards; and more"]) == [["bureau", "standards"], ["more"]]
    assert spells("dc", ["developing", "countries"]) and not spells("cd", ["developing", "countries"])  # in order
