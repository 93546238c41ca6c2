import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { getApi } from './api/getApi'
import { App } from './App'
import './styles.css'
import { ThemeProvider } from './theme/ThemeContext'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeProvider>
      <App api={getApi()} />
    </ThemeProvider>
  </StrictMode>
)
