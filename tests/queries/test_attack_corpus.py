"""The attack corpus: queries a hostile consumer tries, each refused by its rule or answered safely.

Grouped by the classes of the attack run (issue 10) and the earlier ones. "Safe" means: the plan ran on the
real engine over real-looking data, no ID number, name or mobile of the data is in the answer, every
released row is a group of the query as DuckDB reads it, and each table in it counts at least k units
(``corpus.released_groups_pass_k``). A refusal names its rule and repeats no value of the data.
"""

from __future__ import annotations

import pytest

from pubdata.engines.duckdb import sql_of
from pubdata.queries.planner import QueryRefused, plan
from tests.queries import corpus

SAFE = None
ID = "341702199003071234"

CASES: list[tuple[str, str | None]] = [
    # --- 1. a table alias used as a value (DuckDB binds it to the whole row) ---
    ("SELECT min(f) FROM people f", "sql.table-as-value"),
    ("SELECT max(people) FROM people", "sql.table-as-value"),
    ("SELECT CAST(f AS VARCHAR) AS v, count(*) FROM people f GROUP BY v", "sql.construct"),
    ("SELECT count(*) FROM people f WHERE f = f", "sql.table-as-value"),
    ("SELECT count(*) FROM people f ORDER BY f", "sql.not-an-output"),
    ("SELECT count(*) FROM people f WHERE CASE WHEN f IS NULL THEN 1 ELSE 0 END = 1", "sql.construct"),
    ("SELECT count(*) FROM people f GROUP BY f", "sql.table-as-value"),
    ("SELECT min(f.id_number) FROM people f", "sql.sensitive-column"),
    ("SELECT count(*) FROM people f WHERE f.id_number.x = 1", "sql.construct"),
    ("SELECT count(*) FROM people WHERE people IS NULL", "sql.table-as-value"),
    ("SELECT count(DISTINCT f) FROM people f", "sql.table-as-value"),
    ("SELECT sum(l) FROM loans l", "sql.table-as-value"),
    ("SELECT struct_pack(a := 1) AS s FROM people", "sql.construct"),
    ("SELECT count(*) FROM people f WHERE f['id_number'] = 'x'", "sql.construct"),
    # --- 2. a WITH named like a contract table ---
    ("WITH people AS (SELECT * FROM people) SELECT count(*) FROM people", "sql.construct"),
    (
        "WITH loans AS (SELECT id_number AS bank FROM people) SELECT bank, count(*) FROM loans GROUP BY bank",
        "sql.construct",
    ),
    ("WITH x AS (SELECT 1) SELECT count(*) FROM people", "sql.construct"),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r", "sql.construct"),
    (
        "WITH people(district) AS (SELECT full_name FROM people) SELECT district, count(*) FROM people GROUP BY 1",
        "sql.construct",
    ),
    ("SELECT count(*) FROM (WITH people AS (SELECT 1) SELECT * FROM people) t", "sql.construct"),
    # --- 3. a column list on a table alias renames protected columns ---
    ("SELECT district, count(*) FROM people AS f(district) GROUP BY district", "sql.construct"),
    ("SELECT a, count(*) FROM people AS f(a, b, c) GROUP BY a", "sql.construct"),
    ("SELECT count(*) FROM loans l(bank) WHERE bank = 'x'", "sql.construct"),
    ("SELECT count(*) FROM people p JOIN loans AS l(a, b) ON p.id_number = l.a", "sql.construct"),
    # --- 4. equality joins against attacker-made relations ---
    ("SELECT count(*) FROM people p JOIN (VALUES ('341702199003071234')) v(x) ON p.id_number = v.x", "sql.construct"),
    ("SELECT count(*) FROM people p JOIN (SELECT '341702199003071234' AS x) v ON p.id_number = v.x", "sql.construct"),
    ("SELECT count(*) FROM people p JOIN range(100) r ON p.household_size = r.range", "sql.construct"),
    (
        "SELECT count(*) FROM people p JOIN generate_series(1, 9) g ON p.household_size = g.generate_series",
        "sql.construct",
    ),
    ("SELECT count(*) FROM people p JOIN unnest(['a']) u(x) ON p.id_number = u.x", "sql.construct"),
    ("SELECT count(*) FROM people p JOIN loans l ON 1 = 1", "sql.join-condition"),
    ("SELECT count(*) FROM people p JOIN loans l ON TRUE", "sql.join-condition"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number = l.id_number OR 1 = 1", "sql.join-condition"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number = '341702199003071234'", "sql.join-condition"),
    (
        "SELECT count(*) FROM people p JOIN loans l ON p.id_number = l.id_number AND p.district = '贵池区'",
        "sql.join-condition",
    ),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number LIKE l.id_number", "sql.join-condition"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number > l.id_number", "sql.join-condition"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.district = l.bank", "sql.join-column"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.full_name = l.bank", "sql.join-column"),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number = p.id_number", "sql.join-condition"),
    ("SELECT count(*) FROM people p JOIN loans l ON substr(p.id_number, 1, 6) = l.id_number", "sql.join-condition"),
    ("SELECT count(*) FROM people p, loans l WHERE p.id_number = l.id_number", "sql.join-condition"),
    ("SELECT count(*) FROM people CROSS JOIN loans", "sql.join-kind"),
    ("SELECT count(*) FROM people p FULL JOIN loans l ON p.id_number = l.id_number", "sql.join-kind"),
    ("SELECT count(*) FROM people p RIGHT JOIN loans l ON p.id_number = l.id_number", "sql.join-kind"),
    ("SELECT count(*) FROM people p SEMI JOIN loans l ON p.id_number = l.id_number", "sql.join-kind"),
    ("SELECT count(*) FROM people p ANTI JOIN loans l ON p.id_number = l.id_number", "sql.join-kind"),
    ("SELECT count(*) FROM people p ASOF JOIN loans l ON p.id_number = l.id_number", "sql.join-kind"),
    ("SELECT count(*) FROM people NATURAL JOIN loans", "sql.join-kind"),
    ("SELECT count(*) FROM people p POSITIONAL JOIN loans l", "sql.join-kind"),
    ("SELECT count(*) FROM people p JOIN LATERAL (SELECT 1) x ON TRUE", "sql.construct"),
    ("SELECT count(*) FROM people p JOIN app_user u ON p.id_number = u.name", "sql.table-not-allowed"),
    ("SELECT x.district, count(*) FROM people p JOIN firms x ON p.id_number = x.legal_rep_id GROUP BY 1", SAFE),
    ("SELECT l.bank, count(*) AS n FROM people p JOIN loans l USING (id_number) GROUP BY l.bank", SAFE),
    (
        "SELECT l.bank, count(DISTINCT p.id_number) AS persons FROM people p LEFT JOIN loans l ON "
        "l.id_number = p.id_number GROUP BY l.bank",
        SAFE,
    ),
    ("SELECT count(*) FROM people p JOIN loans l ON p.id_number = l.id_number WHERE l.bank = '独家银行'", SAFE),
    ("SELECT l.bank, sum(l.amount) FROM people p JOIN loans l ON p.id_number = l.id_number GROUP BY l.bank", SAFE),
    # --- 5. small groups counted on the first table only ---
    ("SELECT count(*) FROM people p JOIN people q ON p.id_number = q.id_number", "sql.table-twice"),
    (
        "SELECT count(*) FROM people a JOIN loans b ON a.id_number = b.id_number JOIN loans c ON "
        "b.id_number = c.id_number",
        "sql.table-twice",
    ),
    ("SELECT sum((SELECT max(income) FROM people)) FROM people", "sql.construct"),
    ("SELECT sum(income) - (SELECT sum(income) FROM people WHERE township <> '唯一镇') FROM people", "sql.construct"),
    ("SELECT bank, sum(amount) FROM loans GROUP BY bank", SAFE),
    ("SELECT bank, count(*) FROM loans WHERE bank = '独家银行' GROUP BY bank", SAFE),
    ("SELECT township, avg(income) FROM people GROUP BY township", SAFE),
    ("SELECT avg(income) FROM people WHERE township = '唯一镇'", SAFE),
    ("SELECT avg(income) FROM people WHERE district = '石台县'", SAFE),
    ("SELECT district, max(income) FROM people GROUP BY district", SAFE),
    ("SELECT district, min(household_size), median(income) FROM people GROUP BY ALL", SAFE),
    (
        "SELECT l.bank, sum(l.amount) FROM loans l JOIN people p ON p.id_number = l.id_number "
        "WHERE p.district = '石台县' GROUP BY 1",
        SAFE,
    ),
    (
        "SELECT x.industry, count(*) FROM firms x LEFT JOIN people p ON p.id_number = "
        "x.legal_rep_id GROUP BY x.industry",
        SAFE,
    ),
    # --- 6. the error oracle: every value-dependent construct is refused before the engine ---
    (
        "SELECT count(*) FROM people WHERE CASE WHEN id_number = '341702199003071234' THEN 1/0 ELSE 1 END = 1",
        "sql.construct",
    ),
    ("SELECT count(*) FROM people WHERE CAST(full_name AS INTEGER) = 1", "sql.construct"),
    ("SELECT count(*) FROM people WHERE TRY_CAST(mobile AS INTEGER) > 0", "sql.construct"),
    ("SELECT count(*) FROM people WHERE error('x') IS NULL", "sql.construct"),
    ("SELECT sum(1 / (household_size - 3)) FROM people", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = 1", "sql.literal-type"),
    ("SELECT count(*) FROM people WHERE household_size = '3'", "sql.not-a-dimension"),
    ("SELECT count(*) FROM people WHERE registered = 'x'", "sql.literal-value"),
    ("SELECT count(*) FROM people WHERE registered = '2020-02-30'", "sql.literal-value"),
    ("SELECT count(*) FROM people WHERE registered > 20200101", "sql.literal-type"),
    ("SELECT count(*) FROM people WHERE IF(gender = '男', 1, 0) = 1", "sql.construct"),
    ("SELECT count(*) FROM people WHERE regexp_matches(id_number, '^3417')", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = full_name", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = township", "sql.construct"),
    ("SELECT count(*) FROM people WHERE length(district) = 3", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = 'a' || 'b'", "sql.construct"),
    ("SELECT count(*) FROM people WHERE registered = current_date", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district IN (SELECT full_name FROM people)", "sql.construct"),
    ("SELECT count(*) FROM people WHERE EXISTS (SELECT 1 FROM people WHERE id_number = 'x')", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = 'a' AND 1 = 1", "sql.construct"),
    # --- 7. DP shapes and ordering over exact values (checked by the DP tests too) ---
    ("SELECT district, count(*) AS n FROM people GROUP BY district ORDER BY n DESC LIMIT 1", SAFE),
    ("SELECT district, count(*) AS n FROM people GROUP BY district ORDER BY max(income) DESC", "sql.not-an-output"),
    ("SELECT district, count(*) AS n FROM people GROUP BY district ORDER BY income", "sql.not-an-output"),
    ("SELECT district, count(*) AS n FROM people GROUP BY district ORDER BY id_number", "sql.not-an-output"),
    ("SELECT district, count(*) AS n FROM people GROUP BY district HAVING max(income) > 100000", "sql.not-an-output"),
    ("SELECT district, count(*) AS n FROM people GROUP BY district HAVING n > 5", SAFE),
    ("SELECT district, count(*) AS n FROM people GROUP BY district HAVING count(*) >= 100 ORDER BY 2", SAFE),
    ("SELECT district, avg(income) AS a FROM people GROUP BY district ORDER BY a LIMIT 2 OFFSET 1", SAFE),
    ("SELECT district, count(*) FROM people GROUP BY district LIMIT (SELECT 1)", "sql.limit"),
    ("SELECT district, count(*) FROM people GROUP BY district LIMIT 10 + 1", "sql.limit"),
    ("SELECT district, count(*) FROM people GROUP BY district HAVING district = '石台县'", SAFE),
    # --- earlier classes: files, functions, statements, settings ---
    ("SELECT * FROM read_csv('/etc/passwd')", "sql.construct"),
    ("SELECT count(*) FROM read_parquet('domain/resources/1/v1.parquet')", "sql.construct"),
    ("SELECT count(*) FROM glob('/work/*')", "sql.construct"),
    ("SELECT count(*) FROM 'domain/resources/1/v1.parquet'", "sql.table-not-allowed"),
    ('SELECT count(*) FROM "/etc/passwd"', "sql.table-not-allowed"),
    ("SELECT count(*) FROM query('SELECT * FROM people')", "sql.construct"),
    ("SELECT count(*) FROM query_table('people')", "sql.construct"),
    ("SELECT count(*) FROM read_text('/proc/self/environ')", "sql.construct"),
    ("SELECT count(*) FROM main.people", "sql.construct"),
    ("SELECT count(*) FROM memory.main.people", "sql.construct"),
    ("SELECT count(*) FROM secrets", "sql.table-not-allowed"),
    ("SELECT count(*) FROM app_user", "sql.table-not-allowed"),
    ("SELECT count(*) FROM duckdb_settings()", "sql.construct"),
    ("SELECT count(*) FROM duckdb_tables", "sql.table-not-allowed"),
    ("SELECT count(*) FROM information_schema.tables", "sql.construct"),
    ("SET enable_external_access = true", "sql.not-a-select"),
    ("PRAGMA database_list", "sql.not-a-select"),
    ("ATTACH 'other.db'", "sql.not-a-select"),
    ("COPY people TO '/tmp/out.csv'", "sql.not-a-select"),
    ("INSTALL httpfs", "sql.not-a-select"),
    ("LOAD httpfs", "sql.not-a-select"),
    ("CREATE TABLE x AS SELECT * FROM people", "sql.not-a-select"),
    ("SELECT 1; DROP TABLE people", "sql.single-statement"),
    ("SELECT count(*) FROM people; SELECT count(*) FROM people", "sql.single-statement"),
    ("SELECT current_setting('memory_limit')", "sql.no-table"),
    ("SELECT getenv('HOME') AS h, count(*) FROM people GROUP BY h", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = current_setting('temp_directory')", "sql.construct"),
    ("SELECT count(*) FROM people WHERE household_size = ?", "sql.not-a-dimension"),
    ("SELECT count(*) FROM people WHERE district = ?", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = $1", "sql.construct"),
    ("SELECT count(*) FROM people UNION ALL SELECT count(*) FROM loans", "sql.construct"),
    ("SELECT count(*) FROM people INTERSECT SELECT count(*) FROM loans", "sql.construct"),
    ("SELECT count(*) FROM people EXCEPT SELECT count(*) FROM loans", "sql.construct"),
    ("SELECT count(*) OVER () FROM people", "sql.construct"),
    ("SELECT row_number() OVER (ORDER BY income) AS r FROM people", "sql.construct"),
    ("SELECT DISTINCT district FROM people", "sql.construct"),
    ("SELECT district, count(*) FROM people GROUP BY district QUALIFY count(*) > 1", "sql.construct"),
    ("SELECT count(*) FROM people USING SAMPLE 10", "sql.construct"),
    ("SELECT count(*) FROM people TABLESAMPLE (1 ROWS)", "sql.construct"),
    # --- earlier classes: sensitive values through aggregates, functions, keys ---
    ("SELECT max(id_number) FROM people", "sql.sensitive-column"),
    ("SELECT min(full_name) FROM people", "sql.sensitive-column"),
    ("SELECT max(birth_date) FROM people", "sql.sensitive-column"),
    ("SELECT district, string_agg(full_name, ',') FROM people GROUP BY district", "sql.aggregate-not-allowed"),
    ("SELECT list(mobile) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT arg_min(id_number, household_size) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT any_value(id_number) FROM people", "sql.construct"),
    ("SELECT first(full_name) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT histogram(full_name) FROM people", "sql.construct"),
    ("SELECT mode(mobile) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT array_agg(id_number) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT approx_count_distinct(mobile) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT bit_xor(household_size) FROM people", "sql.aggregate-not-allowed"),
    ("SELECT sum(DISTINCT income) FROM people", "sql.construct"),
    ("SELECT count(DISTINCT full_name) FROM people", "sql.count-distinct"),
    ("SELECT count(DISTINCT district) FROM people", "sql.count-distinct"),
    ("SELECT count(mobile) FROM people", "sql.count-column"),
    ("SELECT sum(household_size ORDER BY income) FROM people", "sql.construct"),
    ("SELECT count(*) FROM people GROUP BY md5(id_number)", "sql.construct"),
    ("SELECT substring(id_number, 7, 8) AS born, count(*) FROM people GROUP BY born", "sql.construct"),
    ("SELECT length(full_name), count(*) FROM people GROUP BY 1", "sql.construct"),
    ("SELECT CAST(id_number AS BIGINT) % 2 AS parity, count(*) FROM people GROUP BY parity", "sql.construct"),
    ("SELECT full_name, count(*) FROM people GROUP BY full_name", "sql.sensitive-column"),
    ("SELECT gender, count(*) FROM people GROUP BY gender", "sql.sensitive-column"),
    ("SELECT year(birth_date), count(*) FROM people GROUP BY 1", "sql.sensitive-column"),
    ("SELECT id_number FROM people", "sql.sensitive-column"),
    ("SELECT * FROM people", "sql.construct"),
    ("SELECT people.* FROM people", "sql.construct"),
    ("SELECT COLUMNS('id.*') FROM people", "sql.construct"),
    ("SELECT count(*) FROM people ORDER BY id_number", "sql.not-an-output"),
    ("SELECT sum(household_size) FROM people WHERE id_number LIKE '3417%'", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE id_number = '341702199003071234'", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE ID_NUMBER = '341702199003071234'", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE \"Id_Number\" = '341702199003071234'", "sql.sensitive-column"),
    ("SELECT avg(amount) FROM loans WHERE id_number IN ('341702199003071234')", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE full_name = '王伟' AND district = '贵池区'", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE mobile BETWEEN '138' AND '139'", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE NOT (gender = '男')", "sql.sensitive-column"),
    ("SELECT count(*) FROM people WHERE mobile IS NOT NULL", SAFE),
    ("SELECT count(DISTINCT id_number) AS persons FROM people WHERE mobile IS NULL", SAFE),
    ("SELECT count(*) FROM people WHERE district = 'x' OR township = 'y'", SAFE),
    # --- row outputs, names, keys ---
    ("SELECT district FROM people", "sql.output-not-grouped"),
    ("SELECT district, income FROM people GROUP BY district", "sql.not-a-dimension"),
    ("SELECT household_size, count(*) FROM people GROUP BY household_size", "sql.not-a-dimension"),
    ("SELECT count(*) FROM people GROUP BY count(*)", "sql.group-aggregate"),
    ("SELECT count(*) AS a, sum(income) AS a FROM people", "sql.output-twice"),
    ("SELECT district, count(*) FROM people GROUP BY 3", "sql.position"),
    ("SELECT count(*) FROM people WHERE nosuch = 1", "sql.unknown-column"),
    ("SELECT count(*) FROM people p WHERE q.district = 'a'", "sql.unknown-table"),
    (
        "SELECT count(*) FROM people p JOIN firms f ON p.id_number = f.legal_rep_id WHERE district = 'a'",
        "sql.ambiguous-column",
    ),
    ("SELECT count(*) FROM loans l JOIN people p ON p.id_number = l.id_number", SAFE),
    (
        "SELECT count(*) FROM people p JOIN loans l ON p.id_number = l.id_number JOIN loans m ON "
        "p.id_number = m.id_number",
        "sql.table-twice",
    ),
    ("SELECT count(*) FROM people people JOIN loans people ON people.id_number = people.id_number", "sql.table-twice"),
    ("SELECT 1", "sql.no-table"),
    ("SELEC count(*) FROM people", "sql.parse"),
    ("SELECT count(*) FROM people WHERE district = 'unterminated", "sql.parse"),
    ('SELECT count(*) FROM people WHERE "district = 1', "sql.parse"),
    ("SELECT count(*) FROM people WHERE district = 'a' " + "AND district = 'a' " * 300, "sql.too-many"),
    ("SELECT count(*) FROM people WHERE " + "(" * 40 + "district = 'a'" + ")" * 40, "sql.too-deep"),
    ("SELECT count(*) FROM people WHERE " + "NOT " * 5000 + "district = 'a'", "sql.too-long"),
    ("SELECT count(*) FROM people WHERE " + "NOT " * 900 + "district = 'a'", "sql.too-deep"),
    ("SELECT count(*) FROM people WHERE income > 1e999", "sql.not-a-dimension"),
    ("SELECT count(*) FROM people WHERE registered > DATE '2020-01-01' AND year(registered) = 2021", SAFE),
    ("SELECT year(registered) AS y, quarter(registered) AS q, count(*) FROM people GROUP BY y, q", SAFE),
    ("SELECT extract(month FROM registered) AS m, count(*) FROM people GROUP BY m", SAFE),
    ("SELECT extract(epoch FROM registered) AS m, count(*) FROM people GROUP BY m", "sql.date-part"),
    ("SELECT year(district), count(*) FROM people GROUP BY 1", "sql.date-part-type"),
    ("SELECT quantile_cont(income, 1.5) FROM people", "sql.quantile-level"),
    ("SELECT quantile_cont(income, 0.9) AS p90, stddev(income), variance(income) FROM people", SAFE),
    ("SELECT district, stddev_pop(income), var_pop(income) FROM people GROUP BY district", SAFE),
    ("SELECT count(*) FROM people WHERE township LIKE '贵池%' AND district NOT IN ('东至县')", SAFE),
    ("SELECT count(*) FROM people WHERE township NOT LIKE '%街道'", SAFE),
    ("SELECT count(*) FROM people WHERE registered BETWEEN '2016-01-01' AND '2018-12-31'", SAFE),
    ("SELECT count(*) FROM people WHERE district LIKE 'a' ESCAPE '!'", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district ILIKE 'a'", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district SIMILAR TO 'a'", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district IS DISTINCT FROM 'a'", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = 'a' COLLATE nocase", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district IN ()", "sql.parse"),
    ("SELECT count(*) FROM people WHERE (district, township) IN (('a', 'b'))", "sql.construct"),
    ("SELECT count(*) FROM people WHERE district = ANY(['a'])", "sql.construct"),
    ("SELECT sum(income) FILTER (WHERE id_number = 'x') FROM people", "sql.construct"),
    (
        "SELECT count(*) FROM people WHERE district = 'x' AND township = (SELECT max(full_name) FROM people)",
        "sql.construct",
    ),
    ("SELECT count(*) FROM people p JOIN firms f ON p.id_number = f.legal_rep_id WHERE f.credit_code IS NULL", SAFE),
    ("SELECT f.district, avg(f.capital) FROM firms f GROUP BY 1", SAFE),
    ("SELECT f.name, count(*) FROM firms f GROUP BY f.name", "sql.not-a-dimension"),
    ("SELECT count(*) FROM firms WHERE legal_rep_name = '王伟'", "sql.sensitive-column"),
    ("SELECT count(DISTINCT legal_rep_id) FROM firms", "sql.count-distinct"),
    ("SELECT count(DISTINCT credit_code) AS firms FROM firms", SAFE),
    (
        "SELECT count(*) FROM firms f JOIN people p ON p.id_number = f.legal_rep_id AND p.mobile IS NULL",
        "sql.join-condition",
    ),
    ("SELECT sum(capital) AS c, sum(capital) AS d FROM firms", SAFE),
    ("SELECT count(*) AS n FROM people GROUP BY district, township HAVING n < 5", SAFE),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_is_large_and_covers_refusals_and_safe_answers():
    assert len(CASES) >= 150
    assert len({sql for sql, _ in CASES}) == len(CASES), "each attack once"
    assert sum(rule is SAFE for _, rule in CASES) >= 30


@pytest.mark.parametrize("sql,rule", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_attack_is_refused_by_its_rule_or_answered_safely(world, sql, rule):
    if rule is not SAFE:
        with pytest.raises(QueryRefused) as refused:
            plan(sql, world.policy)
        assert refused.value.rule == rule, refused.value.detail_in("en")
        for lang in ("zh-CN", "en"):
            assert not corpus.leaked(world, [(refused.value.detail_in(lang),)])
            assert ID not in refused.value.detail_in(lang)
        return
    planned = plan(sql, world.policy)
    result = world.engine.run(planned, tables=world.tables, limits=world.limits())
    assert not corpus.leaked(world, result.rows)
    corpus.released_groups_pass_k(world, sql, result.rows)


def test_the_lone_district_and_the_lone_township_never_come_back(world):
    for sql in (
        "SELECT district, count(*) AS n FROM people GROUP BY district",
        "SELECT township, count(*) AS n FROM people GROUP BY township",
        "SELECT l.bank, count(*) FROM loans l GROUP BY l.bank",
    ):
        rows = world.engine.run(plan(sql, world.policy), tables=world.tables, limits=world.limits()).rows
        keys = {row[0] for row in rows}
        assert keys and not keys & {corpus.LONE_DISTRICT, "唯一镇", "独家银行"}


def test_a_joined_table_counts_its_own_units(world):
    """A group of many people but one borrower is not released: the loans table counts too."""
    sql = (
        "SELECT p.district, sum(l.amount) FROM people p JOIN loans l ON p.id_number = l.id_number "
        "WHERE l.bank = '独家银行' GROUP BY p.district"
    )
    assert world.engine.run(plan(sql, world.policy), tables=world.tables, limits=world.limits()).rows == []


def test_the_generated_sql_names_only_the_platforms_tables_columns_and_aliases(world):
    sql = (
        'SELECT L.Bank AS "My Bank", sum(L.amount) AS total FROM LOANS L JOIN People P ON P.ID_NUMBER = L.id_number '
        "WHERE P.District = 'x'' OR 1=1 --' GROUP BY L.Bank ORDER BY total DESC"
    )
    generated = sql_of(plan(sql, world.policy))
    assert "My Bank" not in generated and " L." not in generated and "LOANS" not in generated
    assert "'x'' OR 1=1 --'" in generated  # the literal stays one escaped string value
    result = world.engine.run(plan(sql, world.policy), tables=world.tables, limits=world.limits())
    assert result.columns == ["My Bank", "total"]
