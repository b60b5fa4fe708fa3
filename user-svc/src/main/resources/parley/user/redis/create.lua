-- Registers an account and appends UserRegistered, raising the email's token version (tokens of an
-- earlier account under this email stop being valid everywhere).
-- KEYS: 1 user:{email}, 2 users, 3 events:users, 4 login_failures:{email} (unused here),
--       5 token_version:{email}
-- ARGV: 1 email, 2 the account's JSON without its closing brace (token_version is added here), 3 nfields, 4.. event fields
-- Returns the account's token version, or -1 when the email is taken (nothing written).
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local v = redis.call('INCR', KEYS[5])
redis.call('SET', KEYS[1], ARGV[2] .. ',"token_version":' .. v .. '}')
redis.call('ZADD', KEYS[2], 0, ARGV[1])
local n = tonumber(ARGV[3])
local fields = {unpack(ARGV, 4, 3 + n)}
fields[#fields + 1], fields[#fields + 2] = 'token_version', v
redis.call('XADD', KEYS[3], '*', unpack(fields))
return v
