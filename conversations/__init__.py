"""Guided eligibility checks: flow definitions (YAML, each with its verdict table) and a small pure engine.

    model.py, loader.py, rules.py  flows as data, validated;  engine.py  the next question or the verdict
    answers.py  reading typed replies (yesno.py, options.py, numbers.py, numerals.py, dates.py, reading.py),
                by the words of answers.yaml (words.py loads and checks them)
    stated.py   what an age or gender stated in a question rules out;  finder.py  the service finder
    lint.py     python -m conversations.lint;  texts.py  the readers' messages

Pure: may import retrieval/ (its text normalisation and numerals, the catalogue model), never bot/.
"""
