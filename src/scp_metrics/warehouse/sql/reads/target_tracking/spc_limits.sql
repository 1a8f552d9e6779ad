-- The current process of each SPC series, i.e. its latest limits group: the process limits at
-- its latest month with a value, its chart type, and the latest suggested recalculation (a
-- sustained shift nobody has confirmed as a break) inside that group, if any.
with latest as (
    select indicator_id, area_code, rebase_group, lpl, upl, chart_type
    from mart_spc
    where value is not null
    qualify row_number() over (partition by indicator_id, area_code
                               order by period_start desc) = 1
),

shifts as (
    select s.indicator_id, s.area_code, max(s.period_start) as shift_start
    from mart_spc as s
    inner join latest as l
        on s.indicator_id = l.indicator_id and s.area_code = l.area_code
           and s.rebase_group = l.rebase_group
    where s.suggested_recalculation is not null
    group by s.indicator_id, s.area_code
)

select l.indicator_id, l.area_code, l.lpl, l.upl, l.chart_type, s.shift_start
from latest as l
left join shifts as s on l.indicator_id = s.indicator_id and l.area_code = s.area_code
order by l.indicator_id, l.area_code
