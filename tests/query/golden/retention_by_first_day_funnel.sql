WITH cohorts AS (
  SELECT
    person,
    cohort
  FROM (
    SELECT
      person,
      CAST(MIN("ts") AS DATE) AS cohort
    FROM (
      SELECT
        "e"."person_key" AS person,
        "e"."timestamp" AS ts,
        "e"."event" AS event
      FROM events AS e
      WHERE
        "e"."project_id" = $project_id
    ) AS pe
    GROUP BY
      person
  ) AS c
  WHERE
    "cohort" >= $cohort_from AND "cohort" <= $date_to
), funnel_events AS MATERIALIZED (
  SELECT
    "e"."person_key" AS person,
    "e"."timestamp" AS ts,
    "e"."event" AS event
  FROM events AS e
  WHERE
    "e"."project_id" = $project_id AND "e"."event" IN ($step_1, $step_2)
), first_seen AS (
  SELECT
    person,
    MIN("ts") AS first_ts
  FROM (
    SELECT
      "e"."person_key" AS person,
      "e"."timestamp" AS ts,
      "e"."event" AS event
    FROM events AS e
    WHERE
      "e"."project_id" = $project_id
  ) AS pe
  GROUP BY
    person
), funnel_step_1 AS (
  SELECT
    "f"."person",
    "f"."ts" AS t1,
    NULL AS bd,
    CAST("first_ts" AS DATE) + 1 AS day_end
  FROM funnel_events AS f
  JOIN first_seen
    ON "first_seen"."person" = "f"."person"
  WHERE
    "f"."event" = $step_1 AND CAST("f"."ts" AS DATE) = CAST("first_ts" AS DATE)
), funnel_step_2 AS (
  SELECT
    *,
    CASE
      WHEN "s"."ts" <= (
        "prev"."t1" + TO_SECONDS($window_seconds)
      )
      AND "s"."ts" < "prev"."day_end"
      THEN "s"."ts"
    END AS t2
  FROM funnel_step_1 AS prev
  ASOF LEFT JOIN (
    SELECT
      person,
      ts
    FROM funnel_events
    WHERE
      "event" = $step_2
  ) AS s
    ON "s"."person" = "prev"."person" AND "s"."ts" >= "prev"."t1"
), funnel_best AS (
  SELECT
    *
  FROM (
    SELECT
      person,
      "bd" AS breakdown,
      "t1",
      "t2",
      CASE WHEN NOT "t2" IS NULL THEN 2 ELSE 1 END AS reached,
      ROW_NUMBER() OVER (PARTITION BY "person" ORDER BY "reached" DESC, "t1", "bd") AS attempt_rank
    FROM funnel_step_2
  ) AS ranked
  WHERE
    "attempt_rank" = 1
), members AS (
  SELECT
    "c"."person",
    "c"."cohort",
    COALESCE("b"."reached", 0) AS segment
  FROM cohorts AS c
  LEFT JOIN funnel_best AS b
    ON "b"."person" = "c"."person"
), returns AS (
  SELECT DISTINCT
    person,
    CAST("ts" AS DATE) AS period
  FROM (
    SELECT
      "e"."person_key" AS person,
      "e"."timestamp" AS ts,
      "e"."event" AS event
    FROM events AS e
    WHERE
      "e"."project_id" = $project_id
      AND (
        "e"."timestamp" >= $returns_from AND "e"."timestamp" < $ts_until
      )
  ) AS pe
)
SELECT
  *
FROM (
  SELECT
    MIN("cohort") AS cohort,
    "segment",
    0 AS k,
    COUNT(*) AS value
  FROM members
  GROUP BY
    "segment"
  UNION ALL
  SELECT
    MIN("cohort") AS cohort,
    "segment",
    "k",
    COUNT(*) AS value
  FROM (
    SELECT
      "m"."cohort",
      "m"."segment",
      DATE_DIFF('day', "m"."cohort", "r"."period") AS k
    FROM members AS m
    JOIN returns AS r
      ON "r"."person" = "m"."person"
      AND "r"."period" > "m"."cohort"
      AND "r"."period" <= (
        CAST("m"."cohort" AS DATE) + 30
      )
  ) AS hits
  GROUP BY
    "segment",
    "k"
) AS retention
ORDER BY
  cohort NULLS FIRST,
  segment NULLS FIRST,
  k NULLS FIRST
