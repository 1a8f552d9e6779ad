-- Period helpers used by the models (run before them).
create or replace macro fy_start_year(d) as
    case when month(d) >= 4 then year(d) else year(d) - 1 end;
create or replace macro fy_start_date(d) as make_date(fy_start_year(d), 4, 1);
create or replace macro fq_start_date(d) as
    make_date(year(d), month(d) - ((month(d) + 8) % 3), 1);
-- The same period a year later (scp_metrics.periods.a_year_later, the one "same period last
-- year" rule): the start a year on; the end the day before the day after it a year on, so a
-- month's last day stays its last day (DuckDB clamps 29 February to the 28th, as pandas does).
create or replace macro year_later_start(d) as (d + interval 1 year)::date;
create or replace macro year_later_end(d) as
    (d + interval 1 day + interval 1 year - interval 1 day)::date;
