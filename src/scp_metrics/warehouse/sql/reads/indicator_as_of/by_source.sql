-- The latest complete month of each source's data in one area (its indicators' latest as-of).
select data_source, max(as_of) as as_of from mart_indicator_as_of
where area_code = $area_code and data_source is not null
group by data_source
order by data_source
