// Progressive enhancement only: every page works without this file.
import { initAll } from './nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Live word and character counts on textareas that ask for one (data-count-words).
for (const area of document.querySelectorAll('textarea[data-count-words]')) {
  const out = document.getElementById(area.id + '-count')
  if (!out) continue
  const update = () => {
    const words = area.value.trim() ? area.value.trim().split(/\s+/).length : 0
    out.textContent = words + (words === 1 ? ' word' : ' words')
  }
  area.addEventListener('input', update)
  update()
}
