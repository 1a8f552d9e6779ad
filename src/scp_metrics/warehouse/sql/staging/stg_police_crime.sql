-- Record-level recorded crime for the home area, one row per crime, codes normalised.
with source as (
    select * from raw_police_crime
),

home as (
    select area_code from ref_home_area
),

renamed as (
    select
        home.area_code,
        source.crime_reference,
        source.recorded_date,
        date_trunc('month', source.recorded_date)::date as month_start,
        source.period_start as file_quarter_start,
        source.offence_date,
        source.offence_time,
        upper(trim(source.offence_code)) as offence_code,
        source.ward_code,
        source.ward_name,
        source.lsoa_code,
        source.domestic_abuse,
        source.alcohol_related,
        source.hate_crime,
        source.city_centre,
        source.night_time_economy,
        source.batch_id
    from source
    cross join home
)

select * from renamed
