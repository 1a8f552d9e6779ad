-- Home Office CSP table: CSP names mapped to ONS codes (null when the name is unknown).
with source as (
    select * from raw_ho_csp_crime
),

lookup as (
    select lower(trim(name)) as name_key, area_code from ref_area_name_lookup
),

renamed as (
    select
        lookup.area_code,
        source.csp_name,
        source.force_name,
        source.period_start as quarter_start,
        upper(trim(source.offence_code)) as offence_code,
        source.offence_description,
        lower(trim(source.offence_group)) as offence_group_key,
        source.number_of_offences,
        source.batch_id
    from source
    left join lookup on lookup.name_key = lower(trim(source.csp_name))
)

select * from renamed
