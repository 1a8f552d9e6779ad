-- The focus area's ranked year-to-date and financial-year positions of one indicator up to a
-- date; a March fytd and its financial_year share period_end: fytd last, as the mart stores them.
select period_type, period_start, period_end, rank, n_areas
from mart_msg_rankings
where is_focus
    and indicator_id = $indicator_id
    and area_code = $area_code
    and rank is not null
    and period_type in ('fytd', 'financial_year')
    and period_end <= $as_of
order by period_end, period_type
