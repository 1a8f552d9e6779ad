-- Each indicator's own as-of date and label in one area (sources arrive out of step).
with as_of as (
    select * from mart_indicator_as_of
)

select indicator_id, as_of, data_source, label from as_of
where area_code = $area_code
order by indicator_id
