-- The targets of one indicator in one area with a year-to-date projection to draw.
with tracking as (
    select * from mart_target_tracking
),

projected as (
    select target_id from tracking
    where indicator_id = $indicator_id and area_code = $area_code
      and kind in ('level', 'year_on_year') and projected_year_end is not null
      -- partner-return KPIs: projected from quarterly returns, no monthly path to draw
      and coalesce(method, '') not like 'partner\_%' escape '\'
)

select target_id from projected
order by target_id
