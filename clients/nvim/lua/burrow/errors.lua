-- What each of Burrow's error codes means to a Neovim user: how loud to say it (a vim.log.levels
-- value) and what to do next. A failed task carries the code in `error.code`; a refused request in
-- the JSON-RPC error's `data.code` (docs/protocol.md). Notification levels are decided here, in one
-- place, so an expected outcome (a cancelled request, a declined upload) is not shown as an error.
local levels = vim.log.levels

local M = {}

-- code → { level, advice }; the codes are the server's (server/src/protocol/errors.ts).
M.codes = {
  ['runtime-unreachable'] = { levels.ERROR, 'Start the model runtime (ollama serve) or set OLLAMA_HOST; :checkhealth burrow shows what Burrow sees.' },
  ['model-missing'] = { levels.ERROR, ':Burrow models lists what is installed; burrow models pull NAME installs the model.' },
  conflict = { levels.WARN, 'A file changed after the model read it, so nothing was applied; :Burrow retry works on the current text.' },
  ['model-stuck'] = { levels.WARN, ':Burrow retry with feedback, or choose a larger model (:Burrow models).' },
  ['edits-failed'] = { levels.WARN, ':Burrow retry with feedback, or choose a larger model (:Burrow models).' },
  ['bad-plan'] = { levels.WARN, ':Burrow retry, or choose a larger model (:Burrow models).' },
  ['nothing-to-edit'] = { levels.WARN, 'Name the files in the task, or :Burrow grant the folder they are in.' },
  refused = { levels.WARN, ':Burrow grant {folder} if the file should be within reach; secrets stay out of reach.' },
  ['apply-failed'] = { levels.ERROR, 'Nothing was written; save or close the files, then :Burrow retry.' },
  internal = { levels.ERROR, 'A defect in Burrow: the LSP log has the details (:checkhealth burrow names it).' },
  http = { levels.ERROR, 'The model runtime answered with an error; :checkhealth burrow shows its state.' },
  ['stream-cut'] = { levels.WARN, 'The answer stopped early; :Burrow retry.' },
  timeout = { levels.WARN, 'The model said nothing for too long; :Burrow retry, or a smaller model answers sooner.' },
  aborted = { levels.INFO, nil },
  ['bad-response'] = { levels.WARN, 'The answer could not be read; :Burrow retry.' },
  truncated = { levels.WARN, 'The prompt did not fit the model; select less, or use a model with a larger context.' },
  ['consent-denied'] = { levels.INFO, 'Nothing was sent.' },
  ['egress-denied'] = { levels.WARN, 'That host is not allowed by your settings (docs/configuration.md).' },
  config = { levels.ERROR, 'Set the provider or its key (docs/configuration.md); :checkhealth burrow shows what is missing.' },
  ['empty-prompt'] = { levels.WARN, 'Type the question first.' },
  ['invalid-session'] = { levels.WARN, 'Start a new chat with :Burrow chat.' },
}

--- The level and the advice for a code (an unknown code is an error with no advice).
---@return integer level, string|nil advice
function M.for_code(code)
  local entry = code and M.codes[code]
  if not entry then
    return levels.ERROR, nil
  end
  return entry[1], entry[2]
end

--- The sentence and level to show for `message` with `code`: the message, then the advice.
---@return string text, integer level
function M.describe(message, code)
  local level, advice = M.for_code(code)
  local text = message or 'Burrow failed without a reason.'
  if advice and not text:find(advice, 1, true) then
    text = text .. ' ' .. advice
  end
  return text, level
end

return M
