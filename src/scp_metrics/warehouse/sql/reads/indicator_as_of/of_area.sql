-- Each indicator's as-of date and label in one area.
select indicator_id, as_of, label from mart_indicator_as_of
where area_code = $area_code
order by indicator_id
