-- Deletes an account and appends UserDeleted, raising the token version so that every token of
-- the account stops being valid. token_version:{email} itself stays (a few bytes per email ever
-- registered): a later account under the same email continues from it.
-- KEYS: 1 user:{email}, 2 users, 3 events:users, 4 login_failures:{email}, 5 token_version:{email}
-- ARGV: 1 email, 2 unused, 3 nfields, 4.. event fields
-- Returns the raised token version, or -1 when the account did not exist (nothing written).
if redis.call('DEL', KEYS[1]) == 0 then return -1 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[4])
local v = redis.call('INCR', KEYS[5])
local n = tonumber(ARGV[3])
local fields = {unpack(ARGV, 4, 3 + n)}
fields[#fields + 1], fields[#fields + 2] = 'token_version', v
redis.call('XADD', KEYS[3], '*', unpack(fields))
return v
