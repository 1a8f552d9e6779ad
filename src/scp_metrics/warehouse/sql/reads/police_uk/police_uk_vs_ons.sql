-- police.uk all crime per force and ONS table year (a monthly average over the loaded months of
-- that year) against ONS table P1 "Total recorded crime (excluding fraud)"; the P3 force
-- population against the sum of its local authorities' populations for the same mid-year.
with types as (
    select crime_type, in_all_crime from ref_police_uk_crime_types
),

months as (
    select
        s.force_pfa_code as pfa_code,
        s.month_start,
        count(*) filter (where types.in_all_crime) as crimes,
        count(*) filter (where not types.in_all_crime) as asb
    from stg_police_uk as s
    left join types on types.crime_type = s.crime_type
    where s.force_pfa_code is not null
    group by all
),

ons as (
    select area_code as pfa_code, area_name, period_start, year_ending, value as ons_total
    from stg_ons_pfa
    where table_id = 'P1' and measure_key = 'total recorded crime (excluding fraud)'
),

population as (
    select
        area_code as pfa_code,
        year_ending,
        value as ons_population,
        try_cast(regexp_extract(measure, 'mid-(\d{4})', 1) as integer) as population_mid_year
    from stg_ons_pfa
    where table_id = 'P3' and starts_with(measure_key, 'population figures')
),

local_authorities as (
    select areas.pfa_code, p.mid_year, sum(p.population) as la_population,
           count(*) as local_authorities
    from ref_police_force_areas as areas
    inner join stg_population as p on p.area_code = areas.area_code
    group by all
),

compared as (
    select
        ons.pfa_code,
        ons.area_name as police_force,
        ons.period_start,
        ons.year_ending,
        count(*) as police_uk_months,
        string_agg(strftime(months.month_start, '%Y-%m'), ', ' order by months.month_start)
            as months_compared,
        sum(months.crimes) as police_uk_crimes,
        sum(months.asb) as police_uk_asb,
        sum(months.crimes) / count(*) as police_uk_per_month,
        any_value(ons.ons_total) as ons_total,
        any_value(ons.ons_total) / 12 as ons_per_month
    from ons
    inner join months
        on months.pfa_code = ons.pfa_code
        and months.month_start between ons.period_start and ons.year_ending
    group by all
)

select
    compared.*,
    100 * (compared.police_uk_per_month / compared.ons_per_month - 1) as difference_pct,
    population.population_mid_year,
    population.ons_population,
    local_authorities.la_population,
    local_authorities.local_authorities
from compared
left join population
    on population.pfa_code = compared.pfa_code and population.year_ending = compared.year_ending
left join local_authorities
    on local_authorities.pfa_code = compared.pfa_code
    and local_authorities.mid_year = population.population_mid_year
order by compared.pfa_code, compared.year_ending
