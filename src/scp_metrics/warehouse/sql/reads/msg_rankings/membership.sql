-- Every Most Similar Group's members, in a fixed order (a group-by's row order varies from run
-- to run, and decides which members an error names).
select group_id, area_code, area_name from stg_msg_membership order by all
