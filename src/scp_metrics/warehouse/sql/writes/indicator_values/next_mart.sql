-- mart_indicator_values from the previous build's rows of the keys still counted and not
-- recomputed, and the recomputed rows (those of _iv_new whose key is to compute: it also holds
-- the year-earlier rows computed only to be read), in compute_indicator_values' order
-- (indicator, area, period type as PERIOD_TYPES lists them, start, end); the survey rows
-- (_iv_survey) follow (writes/indicator_values/append_survey), as a whole build writes them.
create or replace table mart_indicator_values as
select * from (
    select * from mart_indicator_values
    semi join _iv_inputs using (indicator_id, area_code, period_type, period_start, period_end)
    anti join _iv_todo using (indicator_id, area_code, period_type, period_start, period_end)
    union all
    select * from _iv_new
    semi join _iv_todo using (indicator_id, area_code, period_type, period_start, period_end)
)
order by
    indicator_id,
    area_code,
    list_position($period_types, period_type),
    period_start,
    period_end,
    period_type
