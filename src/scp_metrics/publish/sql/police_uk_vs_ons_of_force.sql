-- police.uk all crime against the ONS police force area tables, one force, by table year.
select police_force, year_ending, police_uk_months, months_compared, police_uk_per_month,
       ons_per_month, difference_pct, whole_year, message
from mart_police_uk_vs_ons
where pfa_code = $pfa_code
order by year_ending
