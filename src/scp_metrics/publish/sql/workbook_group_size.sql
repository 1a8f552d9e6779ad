-- How many areas the partnership's Most Similar Group has (0: no group in the warehouse).
with group_members as (
    select area_code from stg_msg_membership
    where upper(trim(group_id)) = $home
)

select count(distinct area_code) as members from group_members
