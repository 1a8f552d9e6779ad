-- The indicators counted from Home Office offence codes.
select indicator_id from ref_indicators where family = 'offence_codes' order by indicator_id
