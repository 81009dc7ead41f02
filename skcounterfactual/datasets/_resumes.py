"""Synthetic résumés with a tunable gender bias in the interview decisions."""

import numbers

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .._lexicon import ENGLISH
from .._mimesis import check_locale, mimesis_pool
from .._validation import shown
from ._loan import MAX_SAMPLES, _draw_gendered

__all__ = ["make_resumes"]

MIN_YEARS, MAX_YEARS = 1, 25
MIN_SKILLS, MAX_SKILLS = 3, 7
DEGREE_POINTS = {"Bachelor": 0.0, "Master": 1.0, "PhD": 2.0}
THRESHOLD = 6.8
GENDER_SHIFT = 1.0
SKILLS = (
    "project management",
    "data analysis",
    "negotiation",
    "public speaking",
    "budgeting",
    "customer service",
    "technical writing",
    "scheduling",
    "quality assurance",
    "team leadership",
    "process improvement",
    "stakeholder management",
)
# One sentence per group, in this order; each résumé draws one variant of each.
# Pronouns are written as placeholders: {she}, {her} (possessive), {her_obj},
# {herself}, capitalised with a leading capital ({She}, {Her}).
SENTENCES = (
    (
        "{name} is {a_occupation} with {years} years of experience.",
        "{name} has worked as {a_occupation} for {years} years.",
    ),
    (
        "{She} graduated from {university} with a {degree} degree.",
        "{She} holds a {degree} degree from {university}.",
    ),
    (
        "In {her} current position {she} manages a team of {team} people and "
        "reports directly to the director.",
        "{Her} current employer promoted {her_obj} twice, and {she} now leads a "
        "team of {team}.",
    ),
    (
        "Last year {she} led a project that cut delivery times by {percent} "
        "percent, and {her} team won an internal award for it.",
        "{She} is proud of a project in which {she} and {her} colleagues reduced "
        "costs by {percent} percent within a year.",
    ),
    (
        "{Her} skills include {skills}.",
        "{She} works every day with {skills}.",
    ),
    (
        "{She} speaks {language} and English.",
        "Besides English, {she} speaks {language}.",
    ),
    (
        "Colleagues describe {her_obj} as reliable, curious and calm under pressure.",
        "{Her} manager praised {her_obj} for {her} clear reports and {her} work "
        "with clients.",
    ),
    (
        "{She} taught {herself} {programming} in {her} spare time.",
        "Outside work, {she} coaches {her} {child}'s football team.",
    ),
    (
        "{title} {last} is available for an interview at short notice.",
        "References for {first} are available on request; {she} can start next month.",
    ),
)
PRONOUNS = {
    "female": {"she": "she", "her": "her", "her_obj": "her", "herself": "herself"},
    "male": {"she": "he", "her": "his", "her_obj": "him", "herself": "himself"},
}
TITLES = {"female": "Ms.", "male": "Mr."}
_STREAMS = (
    "gender",
    "first_name",
    "last_name",
    "occupation",
    "university",
    "degree",
    "years",
    "skills",
    "language",
    "programming",
    "team",
    "child",
    "percent",
    "sentences",
    "noise",
)


def _check_fraction(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not 0 <= value <= 1
    ):
        raise ValueError(
            f"{name} must be a number in [0, 1]; got {name}={value!r}. "
            f"Pass for example {name}=0.5."
        )
    return float(value)


def _neutral_occupations(locale):
    """Occupations without a gendered word (no "Salesman"), so twins agree."""
    gendered = {w.lower() for w in ENGLISH.words}
    return [
        o
        for o in mimesis_pool(locale, "occupation")
        if not gendered & set(o.lower().replace("-", " ").split())
    ]


def _article(word):
    return "an" if word[:1].lower() in "aeiou" else "a"


def make_resumes(
    n_samples=1000,
    *,
    bias=1.0,
    noise=0.0,
    locale="en",
    return_X_y=True,
    random_state=None,
):
    """Generate résumés whose interview decisions favour men.

    The résumé-screening experiment of the Mimesis bias articles, as a data
    set: each candidate has a first and last name that agree with their
    gender, an occupation, a university, a degree, years of experience and a
    list of skills, and a résumé summary of about a hundred words written in
    the third person, which uses their name and pronouns ("Anna Smith is an
    accountant ... Her manager praised her ..."). Occupations, universities,
    degrees, languages and programming languages come from Mimesis.

    The decision to invite a candidate to an interview follows a
    qualification score, ``0.25 * years + 0.6 * n_skills`` plus 1 for a
    Master's and 2 for a PhD, against a threshold that depends on gender:
    men are invited when the score exceeds ``6.8 - bias``, women when it
    exceeds ``6.8 + bias``. With ``bias=0`` the score alone decides.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of candidates.
    bias : float, default=1.0
        Strength of the gender bias in the decisions, in [0, 1].
    noise : float, default=0.0
        Probability, in [0, 1], that each decision is flipped, independently
        of everything else.
    locale : str, default="en"
        Mimesis locale of the names, occupations and universities. The
        résumé text is English.
    return_X_y : bool, default=True
        If True, return the features and the decisions separately; otherwise
        return one frame with the decisions as its last column ``interview``.
    random_state : int, RandomState instance or None, default=None
        Seed of every draw. The same seed gives the same candidates whatever
        ``bias`` and ``noise``.

    Returns
    -------
    X : pandas.DataFrame of shape (n_samples, 9)
        Columns, in order: ``first_name``, ``last_name``, ``gender``
        (``"Female"`` or ``"Male"``, with equal probability), ``occupation``,
        ``university``, ``degree`` (``"Bachelor"``, ``"Master"`` or
        ``"PhD"``), ``years_experience`` (int64, 1 to 25), ``skills`` (3 to 7
        skills, comma-separated) and ``resume`` (the summary). Text columns
        have the ``str`` dtype. Returned only when ``return_X_y=True``.
    y : pandas.Series of shape (n_samples,)
        The decisions, named ``interview`` (int64, 1 for invited). Returned
        only when ``return_X_y=True``.
    frame : pandas.DataFrame of shape (n_samples, 10)
        ``X`` with ``interview`` as the last column. Returned only when
        ``return_X_y=False``.

    See Also
    --------
    make_loan_applicants : The loan-approval scenario, on tabular features.
    skcounterfactual.TextLink : Rewrites the résumé text in twins.

    Notes
    -----
    Occupations whose name holds a gendered word ("Salesman") are left out, so
    that a twin's text and its columns keep agreeing. Texts are written with
    one Python format call per sentence: 10^5 résumés take a few seconds.

    Examples
    --------
    >>> from skcounterfactual.datasets import make_resumes
    >>> X, y = make_resumes(n_samples=400, random_state=0)
    >>> X.shape
    (400, 9)
    >>> print(X.loc[0, "resume"][:78])
    Orval Green has worked as a Payroll Supervisor for 13 years. He holds a Bachel
    >>> y.groupby(X["gender"]).mean().round(2)
    gender
    Female    0.43
    Male      0.74
    Name: interview, dtype: float64
    """
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, numbers.Integral)
        or n_samples < 1
    ):
        raise ValueError(
            "n_samples must be a positive integer; "
            f"got n_samples={shown(n_samples)!r}. Pass for example n_samples=1000."
        )
    if n_samples > MAX_SAMPLES:
        raise ValueError(
            f"n_samples must be at most {MAX_SAMPLES:,} (the data set is built in "
            f"memory); got n_samples={int(n_samples):,}."
        )
    n = int(n_samples)
    bias = _check_fraction("bias", bias)
    noise = _check_fraction("noise", noise)
    locale = check_locale(locale, "locale")
    if not isinstance(return_X_y, bool):
        raise ValueError(
            f"return_X_y must be True or False; got return_X_y={return_X_y!r}."
        )
    entropy = check_random_state(random_state).randint(
        np.iinfo(np.uint32).max, size=4, dtype=np.uint32
    )
    rngs = dict(
        zip(
            _STREAMS,
            map(
                np.random.default_rng,
                np.random.SeedSequence(entropy).spawn(len(_STREAMS)),
            ),
            strict=True,
        )
    )
    is_male = rngs["gender"].integers(0, 2, size=n).astype(bool)
    first = _draw_gendered(locale, "first_name", is_male, rngs["first_name"])
    last = _draw_gendered(locale, "last_name", is_male, rngs["last_name"])
    occupations = _neutral_occupations(locale)
    occupation = np.asarray(occupations)[
        rngs["occupation"].integers(0, len(occupations), n)
    ]
    universities = mimesis_pool(locale, "university")
    university = np.asarray(universities)[
        rngs["university"].integers(0, len(universities), n)
    ]
    degrees = list(DEGREE_POINTS)
    degree = np.asarray(degrees)[rngs["degree"].integers(0, len(degrees), n)]
    years = rngs["years"].integers(MIN_YEARS, MAX_YEARS + 1, n)
    skills, n_skills = _skills(n, rngs["skills"])
    languages = [x for x in mimesis_pool("en", "language") if x != "English"]
    language = np.asarray(languages)[rngs["language"].integers(0, len(languages), n)]
    programming = mimesis_pool("en", "programming_language")
    program = np.asarray(programming)[
        rngs["programming"].integers(0, len(programming), n)
    ]
    team = rngs["team"].integers(3, 16, n)
    child = np.where(rngs["child"].integers(0, 2, n) == 1, "daughter", "son")
    percent = rngs["percent"].integers(10, 41, n)
    variants = rngs["sentences"].integers(0, 2, size=(n, len(SENTENCES)))
    columns = {
        "first": first.tolist(),
        "last": last.tolist(),
        "occupation": occupation.tolist(),
        "years": years.tolist(),
        "university": university.tolist(),
        "degree": degree.tolist(),
        "team": team.tolist(),
        "skills": skills,
        "language": language.tolist(),
        "programming": program.tolist(),
        "child": child.tolist(),
        "percent": percent.tolist(),
    }
    resume = [
        _resume(v, male, **dict(zip(columns, row, strict=True)))
        for v, male, row in zip(
            variants.tolist(),
            is_male.tolist(),
            zip(*columns.values(), strict=True),
            strict=True,
        )
    ]
    X = pd.DataFrame(
        {
            "first_name": pd.array(first, dtype="str"),
            "last_name": pd.array(last, dtype="str"),
            "gender": pd.array(np.where(is_male, "Male", "Female"), dtype="str"),
            "occupation": pd.array(occupation, dtype="str"),
            "university": pd.array(university, dtype="str"),
            "degree": pd.array(degree, dtype="str"),
            "years_experience": years.astype(np.int64),
            "skills": pd.array(skills, dtype="str"),
            "resume": pd.array(resume, dtype="str"),
        }
    )
    score = (
        0.25 * years
        + 0.6 * n_skills
        + np.array([DEGREE_POINTS[d] for d in degree], dtype=float)
    )
    threshold = np.where(
        is_male, THRESHOLD - bias * GENDER_SHIFT, THRESHOLD + bias * GENDER_SHIFT
    )
    invited = score > threshold
    invited ^= rngs["noise"].random(n) < noise
    y = pd.Series(invited.astype(np.int64), name="interview")
    if return_X_y:
        return X, y
    return X.assign(interview=y)


def _skills(n, rng):
    pool = np.asarray(SKILLS + mimesis_pool("en", "programming_language"))
    counts = rng.integers(MIN_SKILLS, MAX_SKILLS + 1, n)
    order = np.argsort(rng.random((n, len(pool))), axis=1)
    texts = [
        ", ".join(pool[order[i, : counts[i] - 1]])
        + f" and {pool[order[i, counts[i] - 1]]}"
        for i in range(n)
    ]
    return texts, counts


def _resume(variants, is_male, **values):
    words = PRONOUNS["male" if is_male else "female"]
    occupation = values.pop("occupation")
    values.update(
        words,
        name=f"{values['first']} {values['last']}",
        a_occupation=f"{_article(occupation)} {occupation}",
        She=words["she"].capitalize(),
        Her=words["her"].capitalize(),
        title=TITLES["male" if is_male else "female"],
    )
    return " ".join(
        group[v].format(**values) for group, v in zip(SENTENCES, variants, strict=True)
    )
