"""Several writes joined into one statement (dutyline.db.writes): parameters renumbered in order."""

from __future__ import annotations

from dutyline.db.writes import Writes


def batch(*values: object) -> Writes:
    writes = Writes()
    writes.add("INSERT INTO a (x, y) VALUES ($1, $2)", values[0], values[1])
    writes.add("UPDATE b SET z = $2 WHERE id = $1", values[2], values[3])
    return writes


def test_each_write_keeps_its_own_parameters_in_one_statement() -> None:
    sql, args = batch(1, 2, 3, 4).statement()
    assert sql == (
        "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)), w1 AS (UPDATE b SET z = $4 WHERE id = $3) SELECT 1"
    )
    assert args == [1, 2, 3, 4]


def test_batches_of_one_shape_share_the_statement_not_the_arguments() -> None:
    first, second = batch(1, 2, 3, 4).statement(), batch(5, 6, 7, 8).statement()
    assert first[0] == second[0]
    assert (first[1], second[1]) == ([1, 2, 3, 4], [5, 6, 7, 8])
