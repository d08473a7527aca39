-- `:checkhealth burrow`: is the server command there, does the model runtime answer, is the model
-- installed, and where are the logs. It asks a running client (`burrow.doctor`) when there is
-- one, else runs `burrow doctor --json` once.
local client = require('burrow.client')
local compat = require('burrow.compat')
local config = require('burrow.config')

local M = {}
local health = compat.health

local function check_version()
  health.start('Neovim')
  local v = vim.version()
  local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if compat.has('0.11') then
    health.ok('Neovim ' .. version .. ': the client starts through vim.lsp.enable("burrow").')
  elseif compat.has('0.8') then
    health.ok('Neovim ' .. version .. ': the client starts through vim.lsp.start().')
  else
    health.ok('Neovim ' .. version .. ': the client starts through vim.lsp.start_client().')
  end
end

-- The command that runs the doctor: the server command with --stdio swapped for `doctor --json`.
local function doctor_cmd(cmd)
  local out = {}
  for _, part in ipairs(cmd) do
    if part ~= '--stdio' then
      table.insert(out, part)
    end
  end
  vim.list_extend(out, { 'doctor', '--json' })
  return out
end

local function check_server()
  health.start('Server')
  local cmd = config.options.cmd
  if type(cmd) ~= 'table' or not cmd[1] then
    health.error('The server command is not set.', { "setup({ cmd = { 'burrow', '--stdio' } })" })
    return false
  end
  if vim.fn.executable(cmd[1]) == 0 then
    health.error(
      string.format('"%s" is not an executable on $PATH.', cmd[1]),
      { 'Install Burrow (npm install -g burrow) or set cmd in setup() to the full path.' }
    )
    return false
  end
  health.ok('Server command: ' .. table.concat(cmd, ' '))
  -- `node path/to/burrow.js` names a script that must exist too.
  if vim.fn.fnamemodify(cmd[1], ':t'):match('^node') and cmd[2] and not compat.exists(cmd[2]) then
    health.error(string.format('The script %s does not exist.', cmd[2]), { 'Build Burrow with npm run build.' })
    return false
  end
  local running = client.running()
  if running then
    health.ok(string.format('A burrow client is running (id %d, root %s).', running.id, running.config.root_dir or '?'))
  else
    health.info('No burrow client is running yet; it starts with the first file buffer or :Burrow command.')
  end
  return true
end

local function ask_doctor()
  local running = client.running()
  if running and running.initialized then
    local result, err = compat.request_sync(running, 'workspace/executeCommand', {
      command = 'burrow.doctor',
      arguments = { vim.empty_dict() },
    }, 10000)
    if result ~= nil then
      return result, 'the running server (burrow.doctor)'
    end
    health.warn('The running server did not answer burrow.doctor: ' .. tostring(err))
  end
  local cmd = doctor_cmd(config.options.cmd)
  local output = vim.fn.system(cmd)
  local ok, decoded = pcall(compat.json_decode, output)
  if ok and type(decoded) == 'table' then
    return decoded, table.concat(cmd, ' ')
  end
  -- The first lines are enough to say what went wrong; a stack trace would bury the report.
  local first = vim.list_slice(vim.split(vim.trim(output), '\n', { plain = true }), 1, 3)
  return nil,
    string.format('%s printed no JSON (exit %d): %s', table.concat(cmd, ' '), vim.v.shell_error, table.concat(first, ' '))
end

-- A doctor check: { name, ok, message, advice? } (the server's shape), reported as ok or error.
local function report_check(check)
  local text = (check.name and (check.name .. ': ') or '') .. (check.message or check.detail or '')
  local advice = check.advice or check.fix or check.hint
  if check.ok == false or check.status == 'error' or check.status == 'fail' then
    health.error(text, advice and { advice } or nil)
  elseif check.status == 'warn' or check.status == 'warning' then
    health.warn(text, advice and { advice } or nil)
  else
    health.ok(text)
  end
end

local function check_runtime()
  health.start('Model runtime')
  local doctor, source = ask_doctor()
  if not doctor then
    health.error('Could not ask Burrow for a diagnosis: ' .. source)
    return nil
  end
  health.info('Diagnosis from ' .. source .. '.')
  local checks = doctor.checks
  if type(checks) == 'table' and #checks > 0 then
    for _, check in ipairs(checks) do
      report_check(check)
    end
  else
    -- A flat answer: report the fields it has.
    if doctor.runtime ~= nil then
      local runtime = doctor.runtime
      local reachable = type(runtime) == 'table' and (runtime.reachable or runtime.ok) or runtime == true
      if reachable then
        health.ok('Runtime reachable: ' .. vim.inspect(runtime))
      else
        health.error('Runtime not reachable: ' .. vim.inspect(runtime), { 'Start Ollama (ollama serve) or LM Studio.' })
      end
    end
    if doctor.model ~= nil then
      local model = doctor.model
      local installed = type(model) == 'table' and (model.installed or model.ok) or model == true
      if installed then
        health.ok('Model installed: ' .. vim.inspect(model))
      else
        health.error('Model not installed: ' .. vim.inspect(model), { 'Run burrow models pull NAME.' })
      end
    end
  end
  return doctor
end

local function check_logs(doctor)
  health.start('Logs')
  local server_log = doctor and (doctor.logFile or doctor.log or (doctor.paths and doctor.paths.log))
  if type(server_log) == 'string' then
    health.info('Burrow log: ' .. server_log)
  else
    local state = os.getenv('XDG_STATE_HOME') or (vim.loop.os_homedir() .. '/.local/state')
    health.info('Burrow keeps its state and logs under ' .. state .. '/burrow')
  end
  health.info('Neovim LSP log (messages between Neovim and Burrow): ' .. vim.lsp.get_log_path())
end

function M.check()
  check_version()
  local server_ok = check_server()
  local doctor = server_ok and check_runtime() or nil
  check_logs(doctor)
end

return M
